/** `agenttape validate`: schema, leaked secrets and determinism risks; fails CI and pre-commit hooks on problems. */
import * as path from 'node:path';
import { formatValidation, validateCassetteFile } from '../tools/scan-cassette';
import { cassetteFilesFrom, EXIT, type Command } from './command';

/**
 * The `validate` command.
 *
 * @example
 * // npx agenttape validate            (every cassette under cassetteDir)
 */
export const validateCommand: Command = {
  name: 'validate',
  usage: 'agenttape validate [<cassette>...] [--strict]',
  summary: 'Check cassettes: the schema, secrets that escaped redaction, and determinism risks.',
  help: `
Arguments:
  <cassette>   cassette files, folders or test names; default: every cassette under cassetteDir

Options:
  --strict     fail on warnings (determinism risks) too

Exit code: 0 when every cassette is clean, 1 when a problem was found, 2 on a usage error.

Examples:
  npx agenttape validate
  npx agenttape validate cassettes/agent.test.ts --strict   # e.g. in a pre-commit hook`,
  options: { strict: { type: 'boolean' } },
  run(context, positionals, values) {
    const files = cassetteFilesFrom(context, positionals, { allByDefault: true, command: 'validate' });
    const { redact } = context.config();
    const results = files.map((file) => ({ ...validateCassetteFile(file, redact), file: path.relative(context.cwd, file) }));
    context.out(`${formatValidation(results)}\n`);
    const failing = results.some((r) => r.findings.some((f) => f.severity === 'error' || values.strict));
    return failing ? EXIT.problems : EXIT.ok;
  },
};
