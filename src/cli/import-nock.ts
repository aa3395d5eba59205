/** `agenttape import-nock`: nock recorder output or a nock.back fixture -> an AgentTape cassette. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeCassetteFile } from '../cassette/cassette-file';
import { cassetteStem } from '../cassette/cassette-path';
import { CassetteNotFoundError, UsageError } from '../errors';
import { importNockDefinitions, parseNockDefinitions } from '../tools/nock-definitions';
import { EXIT, isFile, type Command } from './command';

/**
 * The `import-nock` command.
 *
 * @example
 * // npx agenttape import-nock fixtures/weather.json --out "cassettes/weather.test.ts/weather answers.yaml"
 */
export const importNockCommand: Command = {
  name: 'import-nock',
  usage: 'agenttape import-nock <definitions.json> --out <cassette.yaml|.json> [--name <test name>]',
  summary: 'Convert nock definitions (nock.recorder output_objects, or a nock.back fixture) into an AgentTape cassette.',
  help: `
Arguments:
  <definitions.json>   a JSON array of nock definitions ({ scope, method, path, body, status, response, rawHeaders })

Options:
  --out <file>     the cassette to write (.yaml, or .json for the JSON format); put it where the
                   test's cassette belongs: <cassetteDir>/<test file>/<full test name>.yaml
  --name <name>    the test name stored in meta (default: the file name of --out)
  --force          overwrite --out if it exists

The current redaction rules are applied; requests to LLM APIs become kind: llm.

Example:
  npx agenttape import-nock fixtures/nock/weather.json --out "cassettes/weather.test.js/weather answers.yaml"`,
  options: { out: { type: 'string' }, name: { type: 'string' }, force: { type: 'boolean' } },
  run(context, positionals, values) {
    if (positionals.length !== 1) throw new UsageError(`import-nock: expected one definitions file, got ${positionals.length}. Example: agenttape import-nock fixture.json --out cassette.yaml`);
    if (typeof values.out !== 'string') throw new UsageError('import-nock: --out is required: name the cassette to write, e.g. --out "cassettes/a.test.js/my test.yaml"');
    const source = path.resolve(context.cwd, positionals[0]);
    if (!isFile(source)) throw new CassetteNotFoundError(`import-nock: cannot read ${positionals[0]}: the file does not exist. Check the path.`);
    const out = path.resolve(context.cwd, values.out);
    if (isFile(out) && !values.force) throw new UsageError(`import-nock: ${values.out} already exists. Pass --force to overwrite it, or choose another --out.`);
    const definitions = parseNockDefinitions(fs.readFileSync(source, 'utf8'), positionals[0]);
    const testName = typeof values.name === 'string' ? values.name : cassetteStem(out);
    writeCassetteFile(out, importNockDefinitions(definitions, context.config(), { testName }));
    context.out(`imported ${definitions.length} nock definitions into ${path.relative(context.cwd, out)}\n`);
    return EXIT.ok;
  },
};
