/**
 * The JSON form of a cassette (`format: 'json'`, docs/format.md): the same keys
 * in the same order as the YAML form, two-space indentation, a trailing newline.
 */
import { CassetteCorruptError } from '../errors';
import { ASSET_MARKER, inlineAssets } from './cassette-assets';
import { NEXT_STEP, orderCassette, validateCassette, type CassetteDocument } from './cassette-schema';

/**
 * The line js-yaml finds a JSON syntax error on (JSON is YAML), for Node 20,
 * whose JSON.parse names no position; js-yaml is loaded only then.
 */
function yamlErrorLine(text: string): number | undefined {
  try {
    (require('js-yaml') as typeof import('js-yaml')).load(text);
  } catch (error) {
    const mark = (error as import('js-yaml').YAMLException).mark;
    if (mark) return mark.line + 1;
  }
  return undefined;
}

/**
 * Renders a cassette as JSON with the same key order as the YAML form.
 *
 * @example
 * fs.writeFileSync('a.json', serializeCassetteJson(doc));
 */
export function serializeCassetteJson(doc: CassetteDocument): string {
  const ordered = orderCassette(doc);
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/**
 * Parses and validates a JSON cassette. `file` only labels errors.
 *
 * @example
 * const doc = parseCassetteJson(fs.readFileSync('a.json', 'utf8'), 'a.json');
 */
export function parseCassetteJson(text: string, file: string): CassetteDocument {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    const position = /position (\d+)/.exec(message);
    // Node 20's JSON.parse names no position; the YAML parser reads JSON and does.
    const line = position ? text.slice(0, Number(position[1])).split('\n').length : yamlErrorLine(text);
    const where = line === undefined ? 'unknown line' : `line ${line}`;
    throw new CassetteCorruptError(`Cassette ${file} is not valid JSON (${where}): ${message}\n${NEXT_STEP}`);
  }
  return validateCassette(text.includes(ASSET_MARKER) ? inlineAssets(data, file) : data, file);
}
