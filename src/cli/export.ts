/** `agenttape export`: a cassette as nock definitions or as JSON. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { serializeCassetteJson } from '../cassette/cassette-json';
import { UsageError } from '../errors';
import { exportNockDefinitions } from '../tools/nock-definitions';
import { cassetteFilesFrom, EXIT, readNamedCassette, type Command } from './command';

const TARGETS = ['nock', 'json'];

/**
 * The `export` command.
 *
 * @example
 * // npx agenttape export "agent answers" --to nock --out fixtures/answers.json
 */
export const exportCommand: Command = {
  name: 'export',
  usage: 'agenttape export <cassette> --to nock|json [--out <file>]',
  summary: 'Export a cassette as nock definitions (for nock.define or a nock.back fixture) or as an AgentTape JSON cassette.',
  help: `
Arguments:
  <cassette>     the cassette to export (file or test name)

Options:
  --to <format>  nock: a JSON array of nock definitions (HTTP interactions only)
                 json: the same cassette in the JSON form of the AgentTape format
  --out <file>   where to write (default: standard output)

Examples:
  npx agenttape export "agent answers" --to nock --out fixtures/answers.nock.json
  npx agenttape export cassettes/a.yaml --to json > a.json`,
  options: { to: { type: 'string' }, out: { type: 'string' } },
  run(context, positionals, values) {
    if (positionals.length !== 1) throw new UsageError(`export: expected one cassette, got ${positionals.length}. Example: agenttape export a.yaml --to nock`);
    if (typeof values.to !== 'string' || !TARGETS.includes(values.to)) {
      throw new UsageError(`export: --to must be one of ${TARGETS.join(', ')} (got ${JSON.stringify(values.to ?? null)}). Example: agenttape export a.yaml --to nock`);
    }
    const [file] = cassetteFilesFrom(context, positionals, { allByDefault: false, command: 'export' });
    const doc = readNamedCassette(file);
    const text = values.to === 'nock' ? `${JSON.stringify(exportNockDefinitions(doc), null, 2)}\n` : serializeCassetteJson(doc);
    if (typeof values.out === 'string') {
      const out = path.resolve(context.cwd, values.out);
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, text);
      context.err(`wrote ${path.relative(context.cwd, out)}\n`);
    } else {
      context.out(text);
    }
    return EXIT.ok;
  },
};
