/** `agenttape timeline`: an ASCII waterfall of a cassette. */
import * as path from 'node:path';
import { renderTimeline } from '../tools/render-timeline';
import { cassetteFilesFrom, EXIT, numberOption, readNamedCassette, type Command } from './command';

/**
 * The `timeline` command.
 *
 * @example
 * // npx agenttape timeline "agent answers" --width 60
 */
export const timelineCommand: Command = {
  name: 'timeline',
  usage: 'agenttape timeline <cassette>... [--width <columns>]',
  summary: 'Draw an ASCII waterfall of the interactions of cassettes, each bar as long as its recorded latency.',
  help: `
Arguments:
  <cassette>          a cassette file, a folder of cassettes, or a test name under cassetteDir

Options:
  --width <columns>   width of the waterfall (default 40)

Example:
  npx agenttape timeline "cassettes/agent.test.ts/agent answers.yaml"`,
  options: { width: { type: 'string' } },
  run(context, positionals, values) {
    const width = Math.round(numberOption(values, 'width', 40, 'timeline'));
    const files = cassetteFilesFrom(context, positionals, { allByDefault: false, command: 'timeline' });
    context.out(`${files.map((file) => `${path.relative(context.cwd, file)}\n${renderTimeline(readNamedCassette(file), width)}`).join('\n\n')}\n`);
    return EXIT.ok;
  },
};
