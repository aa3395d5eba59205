/** `agenttape inspect`: interactions, latency, tokens and estimated cost of cassettes. */
import * as path from 'node:path';
import { inspectCassette, formatInspection } from '../tools/inspect-cassette';
import { DEFAULT_PRICES, loadPriceTable } from '../tools/price-table';
import { cassetteFilesFrom, EXIT, readNamedCassette, type Command } from './command';

/**
 * The `inspect` command.
 *
 * @example
 * // npx agenttape inspect "cassettes/agent.test.ts/agent answers.yaml" --prices prices.json
 */
export const inspectCommand: Command = {
  name: 'inspect',
  usage: 'agenttape inspect <cassette>... [--prices <file>] [--json]',
  summary: 'Show the interactions of cassettes with their latency, tokens and estimated cost.',
  help: `
Arguments:
  <cassette>        a cassette file, a folder of cassettes, or a test name under cassetteDir

Options:
  --prices <file>   JSON price table, USD per million tokens by model-name prefix:
                    {"gpt-4o": {"input": 2.5, "output": 10}}; merged over the "prices"
                    configuration key, itself merged over the built-in table
  --json            print the inspection as JSON

Examples:
  npx agenttape inspect "cassettes/agent.test.ts/agent answers.yaml"
  npx agenttape inspect "agent answers" --prices prices.json`,
  options: { prices: { type: 'string' }, json: { type: 'boolean' } },
  run(context, positionals, values) {
    const files = cassetteFilesFrom(context, positionals, { allByDefault: false, command: 'inspect' });
    const configured = { ...DEFAULT_PRICES, ...context.config().prices };
    const prices = typeof values.prices === 'string' ? loadPriceTable(path.resolve(context.cwd, values.prices), configured) : configured;
    const inspections = files.map((file) => ({ file: path.relative(context.cwd, file), inspection: inspectCassette(readNamedCassette(file), prices) }));
    if (values.json) context.out(`${JSON.stringify(inspections, null, 2)}\n`);
    else context.out(`${inspections.map(({ file, inspection }) => formatInspection(file, inspection)).join('\n\n')}\n`);
    return EXIT.ok;
  },
};
