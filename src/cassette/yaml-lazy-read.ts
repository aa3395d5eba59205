/**
 * The first read of a large YAML cassette for replay, without parsing what
 * the test does not replay: a test replays a few of a large cassette's
 * recordings, and parsing them all was most of its cold start
 * (docs/format.md, "Large cassettes").
 *
 * The bytes are cut into each interaction's `request:` and `response:`
 * values and the rest; the rest (root fields, the interactions' other keys)
 * is parsed and validated at once, each cut value on its first read. Only the
 * block layout the writers of the format produce is cut (this library's and
 * the Python AgentTape's): the `interactions:` list at the root, items opening
 * with `- key` at one indentation, their keys two deeper. YAML requires a
 * value's lines to sit deeper than its key (a list may sit at its key's
 * indentation), so the first other line at the key's indentation or less (not
 * blank, not a comment) ends a value. Anything else — another layout, a CR, a
 * possible anchor or an asset reference outside the cut values, an invalid
 * field outside them — is left to the eager readers, which decide and report
 * with lines and fields.
 */
import { CORE_SCHEMA, load } from 'js-yaml';
import { isJsonObject, type Json, type JsonObject } from '../json';
import { ASSET_MARKER } from './cassette-assets';
import { defineLazy } from './cached-events';
import { SCHEMA_VERSION, validateCassette, type CassetteDocument } from './cassette-schema';
import { MAYBE_ANCHOR, parseCassette } from './cassette-yaml';

const SPACE = 0x20;
const NL = 0x0a;
const INTERACTIONS_LINE = Buffer.from('\ninteractions:\n');
/** The fields of an interaction cut out and parsed on first read: its bulk, and what replay reads of it. */
const LAZY_KEYS = ['request', 'response'] as const;
type LazyKey = (typeof LAZY_KEYS)[number];
/** The byte range of each cut field, by interaction position. */
type Cuts = Map<number, Partial<Record<LazyKey, [number, number]>>>;

/**
 * What validation sees in place of a cut request: a mapping any kind accepts
 * (its shape is checked when it is parsed).
 */
const REQUEST_STANDIN = { method: '', url: '' };

/**
 * A cassette read with its requests and responses parsed on first read.
 *
 * @example
 * const read = readLazily(fs.readFileSync(file), file);
 * read?.doc.interactions[0].response; // parsed now
 */
export interface LazyRead {
  /** The document; each cut field is parsed when it is first read. */
  doc: CassetteDocument;
  /** The response at a position, parsed and checked afresh each call (the parse cache writes these). */
  responseAt: (position: number) => Json | undefined;
}

/** Anchors and payloads kept beside the cassette are a full read's business (aliases bounded, payloads put back). */
const needsFullRead = (text: string): boolean => MAYBE_ANCHOR.test(text) || text.includes(ASSET_MARKER);

/** The first byte of a plain or quoted key (`_`, `"`, `'`, a letter or a digit). */
const opensKey = (b: number): boolean => b === 0x5f || b === 0x22 || b === 0x27 || (b >= 0x30 && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a);

const KEY_LINES = LAZY_KEYS.map((key) => Buffer.from(`${key}:`));

/** The cut key whose `key:` opens the line at `at` (then a space or the line's end), if any. */
function lazyKeyAt(bytes: Buffer, at: number): LazyKey | undefined {
  // Both start with `re`: most key lines are told apart by their first byte.
  if (bytes[at] !== 0x72 || bytes[at + 1] !== 0x65) return undefined;
  for (let k = 0; k < KEY_LINES.length; k++) {
    const line = KEY_LINES[k];
    let i = 2;
    while (i < line.length && bytes[at + i] === line[i]) i++;
    if (i === line.length && (bytes[at + i] ?? NL) <= SPACE) return LAZY_KEYS[k];
  }
  return undefined;
}

/**
 * The ranges of the fields to cut, the number of interactions and their keys'
 * indentation; undefined for a layout not cut. It looks at each line's start
 * and finds its end natively: passes over a large file's bytes are most of
 * this reading (copying them to a string for a regular expression took longer
 * than all of this).
 */
function findCuts(bytes: Buffer): { cuts: Cuts; items: number; keyIndent: number } | undefined {
  // A lone CR breaks a line for YAML, not here.
  if (bytes.includes(0x0d)) return undefined;
  const head = bytes.indexOf(INTERACTIONS_LINE);
  if (head < 0) return undefined;
  const cuts: Cuts = new Map();
  let items = 0;
  let itemIndent = -1;
  let keyIndent = Infinity;
  let open: { key: LazyKey; start: number } | undefined;
  const close = (end: number) => {
    if (open) cuts.get(items - 1)![open.key] = [open.start, end];
    open = undefined;
  };
  let pos = head + INTERACTIONS_LINE.length;
  for (let next: number; pos < bytes.length; pos = next) {
    let indent = 0;
    while (indent <= keyIndent && bytes[pos + indent] === SPACE) indent++;
    const at = pos + indent;
    const end = bytes.indexOf(NL, at);
    next = end < 0 ? bytes.length : end + 1;
    // Deeper lines are values; blank lines and comments shape nothing.
    if (indent > keyIndent || at >= bytes.length || bytes[at] === NL || bytes[at] === 0x23) continue;
    const dash = bytes[at] === 0x2d && (bytes[at + 1] ?? NL) <= SPACE;
    // A list may sit at its key's indentation (`sse:` then `- event: …`): only another key or item ends a value.
    if (open && indent === keyIndent && dash) continue;
    close(pos);
    const item = dash && bytes[at + 1] === SPACE && opensKey(bytes[at + 2]);
    if (itemIndent < 0) {
      if (!item) return undefined;
      itemIndent = indent;
      keyIndent = indent + 2;
    }
    if (indent === 0 && !item) break; // the next root key
    if (indent === itemIndent && item) cuts.set(items++, {});
    else if (indent <= itemIndent + 1) return undefined;
    else if (indent === keyIndent) {
      const key = lazyKeyAt(bytes, at);
      if (key === undefined) continue;
      if (cuts.get(items - 1)![key]) return undefined; // a duplicate key: the eager reader reports it
      open = { key, start: pos };
    }
  }
  close(Math.min(pos, bytes.length));
  return { cuts, items, keyIndent };
}

/** A response's lines moved left by the key's indentation, so it reads as a root mapping with the same values. */
function dedent(text: string, by: number): string {
  return text
    .split('\n')
    .map((line) => {
      let spaces = 0;
      while (spaces < by && line.charCodeAt(spaces) === SPACE) spaces++;
      return line.slice(spaces);
    })
    .join('\n');
}

/**
 * Reads a large YAML cassette with each interaction's request and response
 * parsed on first read, or undefined when its layout or its other fields are
 * left to the eager readers. A field that cannot be read throws on its first
 * read the error a full read of the file gives (`CassetteCorruptError` with
 * its line and field), the whole text being parsed again to find it.
 *
 * @example
 * const doc = readLazily(bytes, file)?.doc ?? parseCassette(bytes.toString('utf8'), file);
 */
export function readLazily(bytes: Buffer, file: string): LazyRead | undefined {
  const found = findCuts(bytes);
  if (!found) return undefined;
  const { cuts, items, keyIndent } = found;
  const kept: Buffer[] = [];
  let from = 0;
  for (const fields of cuts.values()) {
    for (const range of [fields.request, fields.response].filter((r) => r !== undefined).sort((a, b) => a[0] - b[0])) {
      kept.push(bytes.subarray(from, range[0]));
      from = range[1];
    }
  }
  kept.push(bytes.subarray(from));
  const raws: JsonObject[] = [];
  let doc: CassetteDocument;
  try {
    const text = Buffer.concat(kept).toString('utf8');
    if (needsFullRead(text)) return undefined;
    const data = load(text, { schema: CORE_SCHEMA });
    if (!isJsonObject(data) || !Array.isArray(data.interactions) || data.interactions.length !== items) return undefined;
    for (const [position, fields] of cuts) {
      const raw = data.interactions[position];
      if (!isJsonObject(raw) || LAZY_KEYS.some((key) => fields[key] && key in raw)) return undefined;
      // The default boundary is read from the request: left to the eager readers.
      if (fields.request && (raw.boundary === undefined || raw.boundary === null)) return undefined;
      raws[position] = { ...raw };
      // Present, so validation sees them; their shape is checked when they are parsed.
      if (fields.request) raw.request = REQUEST_STANDIN;
      if (fields.response) raw.response = undefined as unknown as Json;
    }
    doc = validateCassette(data, file);
  } catch {
    return undefined;
  }
  let full: CassetteDocument | undefined;
  // The field as a full read gives it, checked with its interaction; else what a full read makes of it: the
  // first error of the file with its line, or the value of a field with an anchor or a payload kept beside.
  const parse = (position: number, key: LazyKey, check: (value: Json) => JsonObject): Json => {
    const range = cuts.get(position)![key]!;
    const text = bytes.toString('utf8', range[0], range[1]);
    if (!needsFullRead(text)) {
      try {
        const parsed = load(dedent(text, keyIndent), { schema: CORE_SCHEMA });
        if (!isJsonObject(parsed) || Object.keys(parsed).length !== 1) throw new Error(`not one ${key}`);
        validateCassette({ version: SCHEMA_VERSION, interactions: [check(parsed[key])] }, file);
        return parsed[key];
      } catch {
        // Read whole below.
      }
    }
    full ??= parseCassette(bytes.toString('utf8'), file);
    return full.interactions[position][key] as Json;
  };
  const requestAt = (position: number) => parse(position, 'request', (request) => ({ ...raws[position], request, response: undefined as unknown as Json }));
  const parseResponse = (position: number) => parse(position, 'response', (response) => ({ ...raws[position], request: doc.interactions[position].request, response }));
  for (const [position, fields] of cuts) {
    const interaction = doc.interactions[position];
    if (fields.request) defineLazy(interaction, 'request', () => requestAt(position));
    // A recorded error wins over a response; a full read still parses that response's text.
    if (fields.response && interaction.error !== undefined) parseResponse(position);
    else if (fields.response) defineLazy(interaction, 'response', () => parseResponse(position));
  }
  const responseAt = (position: number): Json | undefined => {
    const cut = cuts.get(position)?.response && doc.interactions[position].error === undefined;
    return cut ? parseResponse(position) : doc.interactions[position]?.response;
  };
  return { doc, responseAt };
}
