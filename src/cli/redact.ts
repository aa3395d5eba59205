/** `agenttape redact`: re-applies the current redaction rules to cassettes, in place and atomically. */
import * as path from 'node:path';
import { writeCassetteFile } from '../cassette/cassette-file';
import { redactCassette } from '../tools/redact-cassette';
import { cassetteFilesFrom, EXIT, readNamedCassette, type Command } from './command';

/**
 * The `redact` command.
 *
 * @example
 * // npx agenttape redact --dry-run
 */
export const redactCommand: Command = {
  name: 'redact',
  usage: 'agenttape redact [<cassette>...] [--dry-run]',
  summary: 'Re-apply the configured redaction rules to cassettes, rewriting each changed file atomically.',
  help: `
Arguments:
  <cassette>   cassette files, folders or test names; default: every cassette under cassetteDir

Options:
  --dry-run    list what would be redacted without writing

Only values the rules call secret change; match keys of changed requests are
recomputed so the cassettes still replay.

Examples:
  npx agenttape redact
  npx agenttape redact "cassettes/agent.test.ts/agent answers.yaml" --dry-run`,
  options: { 'dry-run': { type: 'boolean' } },
  run(context, positionals, values) {
    const files = cassetteFilesFrom(context, positionals, { allByDefault: true, command: 'redact' });
    const config = context.config();
    let changedFiles = 0;
    for (const file of files) {
      const { document, changedPaths } = redactCassette(readNamedCassette(file), config);
      const shown = path.relative(context.cwd, file);
      if (changedPaths.length === 0) {
        context.out(`clean ${shown}\n`);
        continue;
      }
      changedFiles++;
      if (!values['dry-run']) writeCassetteFile(file, document);
      context.out(`${values['dry-run'] ? 'would redact' : 'redacted'} ${changedPaths.length} values in ${shown}\n${changedPaths.map((p) => `  ${p}\n`).join('')}`);
    }
    context.out(`${changedFiles} of ${files.length} cassettes ${values['dry-run'] ? 'would change (dry run: nothing written)' : 'rewritten'}\n`);
    return EXIT.ok;
  },
};
