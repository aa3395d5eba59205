/** `agenttape view`: one self-contained HTML page of a cassette, or two side by side. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../errors';
import { renderCassetteHtml } from '../tools/render-html';
import { cassetteFilesFrom, EXIT, readNamedCassette, type Command } from './command';

/**
 * The `view` command.
 *
 * @example
 * // npx agenttape view a.yaml a.derived.yaml --out compare.html
 */
export const viewCommand: Command = {
  name: 'view',
  usage: 'agenttape view <cassette> [<other>] [--out <file.html>]',
  summary: 'Write a self-contained HTML page showing a cassette as a conversation (LLM messages, tool calls, HTTP), or two side by side.',
  help: `
Arguments:
  <cassette>   the cassette to show (file or test name)
  <other>      a second cassette shown side by side (e.g. the .derived.yaml)

Options:
  --out <file>   where to write the page (default: agenttape-view.html in the working directory)

The page has no scripts and loads nothing: open it in any browser, attach it to a review.

Examples:
  npx agenttape view "cassettes/agent.test.ts/agent answers.yaml"
  npx agenttape view pays.yaml pays.derived.yaml --out pays.html`,
  options: { out: { type: 'string' } },
  run(context, positionals, values) {
    if (positionals.length === 0 || positionals.length > 2) {
      throw new UsageError(`view: expected one or two cassettes, got ${positionals.length}. Example: agenttape view a.yaml [b.yaml] --out page.html`);
    }
    const files = positionals.map((p) => cassetteFilesFrom(context, [p], { allByDefault: false, command: 'view' })[0]);
    const out = path.resolve(context.cwd, typeof values.out === 'string' ? values.out : 'agenttape-view.html');
    const page = renderCassetteHtml(files.map((file) => ({ name: path.relative(context.cwd, file), document: readNamedCassette(file) })));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, page);
    context.out(`wrote ${path.relative(context.cwd, out)}\n`);
    return EXIT.ok;
  },
};
