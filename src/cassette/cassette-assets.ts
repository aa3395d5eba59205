/**
 * Payloads the Python AgentTape keeps beside a cassette. Its writer moves every
 * string over 4 KB (a long prompt, a response body, the `raw_b64` copy of one)
 * to `<cassette name>.assets/sha256-<hex>` and leaves a reference in its place:
 *
 * ```yaml
 * text:
 *   __agenttape_asset__: 'sha256:c59d…'
 *   encoding: utf-8
 *   size: 5000
 *   preview: xxxxxxxx…
 * ```
 *
 * Reading puts the content back, so matching and replay see the real value
 * (docs/python-interop.md). This library never writes references: a cassette
 * it rewrites (`new_episodes`, `agenttape redact`) holds the content inline.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CassetteCorruptError } from '../errors';
import { assetsFolderOf } from './cassette-path';
import type { LineLookup } from './cassette-schema';

/**
 * The key that marks a reference to a payload kept beside the cassette.
 *
 * @example
 * { [ASSET_MARKER]: 'sha256:9f86d0…' } // read back from `<cassette>.assets/9f86d0…`
 */
export const ASSET_MARKER = '__agenttape_asset__';

const DIGEST = /^sha256:([0-9a-f]{64})$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Where in the document a value is, for messages: `interactions[0].response.json.text`. */
function fieldOf(at: (string | number)[]): string {
  return at.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

function refused(file: string, at: (string | number)[], lineOf: LineLookup, problem: string): CassetteCorruptError {
  return new CassetteCorruptError(
    `Cassette ${file} is corrupt: field "${fieldOf(at)}"${lineOf(at)} ${problem}.\n` +
      `The file was left untouched. The Python AgentTape keeps payloads over 4 KB in ${assetsFolderOf(file)}: ` +
      'copy or commit that folder with the cassette, or delete the cassette and re-record.',
  );
}

/**
 * Replaces every asset reference in parsed cassette data with its content:
 * a string for `encoding: utf-8` (the default), and for `encoding: base64`
 * (bytes in Python) the tagged value this library stores bytes as
 * (`{ $type: Buffer, base64 }`, docs/boundaries.md). Changes `data` in place and
 * returns it. A reference whose file is missing or unreadable is a
 * `CassetteCorruptError` naming the field: replaying the preview instead would
 * replay data that was never recorded.
 *
 * @example
 * const data = inlineAssets(loadYaml(text), 'cassettes/a.yaml');
 */
export function inlineAssets(data: unknown, file: string, lineOf: LineLookup = () => ''): unknown {
  const folder = assetsFolderOf(file);
  // Identical payloads (the same long prompt sent twice) share one file: read it once.
  const read = new Map<string, Buffer>();
  const resolve = (reference: Record<string, unknown>, at: (string | number)[]): unknown => {
    const digest = DIGEST.exec(String(reference[ASSET_MARKER]));
    // Only a digest names a file, so a reference cannot point outside the assets folder.
    if (!digest) throw refused(file, at, lineOf, `refers to asset ${JSON.stringify(reference[ASSET_MARKER])}, which is not a sha256 digest`);
    const name = `sha256-${digest[1]}`;
    let bytes = read.get(name);
    if (bytes === undefined) {
      try {
        bytes = fs.readFileSync(path.join(folder, name));
      } catch {
        throw refused(file, at, lineOf, `refers to asset sha256:${digest[1]}, which is missing from ${folder}`);
      }
      read.set(name, bytes);
    }
    const encoding = reference.encoding ?? 'utf-8';
    if (encoding === 'base64') return { $type: 'Buffer', base64: bytes.toString('base64') };
    if (encoding !== 'utf-8') throw refused(file, at, lineOf, `has asset encoding ${JSON.stringify(encoding)} (expected utf-8 or base64)`);
    try {
      return utf8.decode(bytes);
    } catch {
      throw refused(file, at, lineOf, `refers to asset sha256:${digest[1]}, whose bytes in ${folder} are not UTF-8`);
    }
  };
  const visit = (value: unknown, at: (string | number)[]): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = visit(value[i], [...at, i]);
      return value;
    }
    const object = value as Record<string, unknown>;
    if (ASSET_MARKER in object) return resolve(object, at);
    for (const key of Object.keys(object)) object[key] = visit(object[key], [...at, key]);
    return value;
  };
  return visit(data, []);
}
