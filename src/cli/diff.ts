/** `agenttape diff`: a structured diff of two cassettes (an original and its `.derived.yaml`). */
import * as path from 'node:path';
import { derivedCassettePath } from '../cassette/cassette-path';
import { UsageError } from '../errors';
import { diffCassettes, formatCassetteDiff, isEmptyDiff } from '../tools/diff-cassettes';
import { EXIT, isFile, readNamedCassette, type Command } from './command';
import { resolveCassetteArgument } from '../tools/cassette-files';

/**
 * The `diff` command.
 *
 * @example
 * // npx agenttape diff "cassettes/a.test.ts/pays.yaml"   (compares with pays.derived.yaml)
 */
export const diffCommand: Command = {
  name: 'diff',
  usage: 'agenttape diff <before> [<after>]',
  summary: 'Show which interactions were added, removed or changed between two cassettes, and the fields that changed.',
  help: `
Arguments:
  <before>   the original cassette (file or test name)
  <after>    the cassette to compare with; default: <before>'s .derived.yaml (written by a partial replay)

Exit code: 0 when the interactions are identical, 1 when they differ, 2 on a usage error.

Examples:
  npx agenttape diff "cassettes/agent.test.ts/pays.yaml"
  npx agenttape diff old.yaml new.yaml`,
  options: {},
  run(context, positionals) {
    if (positionals.length === 0 || positionals.length > 2) {
      throw new UsageError(`diff: expected one or two cassettes, got ${positionals.length}. Example: agenttape diff before.yaml after.yaml`);
    }
    const { cassetteDir } = context.config();
    const [before] = resolveCassetteArgument(positionals[0], cassetteDir, context.cwd);
    let after: string;
    if (positionals.length === 2) {
      [after] = resolveCassetteArgument(positionals[1], cassetteDir, context.cwd);
    } else {
      after = derivedCassettePath(before);
      if (!isFile(after))
        throw new UsageError(`diff: ${path.relative(context.cwd, before)} has no derived cassette (${path.basename(after)} does not exist). Pass the second cassette explicitly: agenttape diff <before> <after>`);
    }
    const result = diffCassettes(readNamedCassette(before), readNamedCassette(after));
    context.out(`${formatCassetteDiff(path.relative(context.cwd, before), path.relative(context.cwd, after), result)}\n`);
    return isEmptyDiff(result) ? EXIT.ok : EXIT.problems;
  },
};
