/**
 * The first read of a large YAML cassette for replay, without parsing the
 * responses nobody replays: a test replays a few of a large cassette's
 * responses, and parsing them all was most of its cold start (docs/format.md,
 * "Large cassettes").
 *
 * The bytes are cut into each interaction's `response:` value and the rest;
 * the rest (root fields, requests, keys) is parsed and validated at once,
 * each response on its first read. Only the block layout every writer of the
 * format produces is cut: the `interactions:` list at the root, items opening
 * with `- key` at one indentation, their keys two deeper. YAML requires a
 * value's lines to sit deeper than its key, so the first line at the key's
 * indentation or less (not blank, not a comment) ends a response. Anything
 * else — another layout, CRLF line ends, a possible anchor, payloads kept
 * beside the cassette, an invalid field outside the responses — is left to
 * the eager readers, which decide and report with lines and fields.
 */
import { CORE_SCHEMA, load } from 'js-yaml';
import { isJsonObject, type Json } from '../json';
import { ASSET_MARKER } from './cassette-assets';
import { defineLazy } from './cached-events';
import { validateCassette, type CassetteDocument } from './cassette-schema';
import { parseCassette } from './cassette-yaml';

const NL = 0x0a;
const SPACE = 0x20;
const INTERACTIONS_LINE = Buffer.from('\ninteractions:\n');
const RESPONSE_KEY = Buffer.from('response:');

/**
 * A cassette read with its responses parsed on first read.
 *
 * @example
 * const read = readLazily(fs.readFileSync(file), file);
 * read?.doc.interactions[0].response; // parsed now
 */
export interface LazyRead {
  /** The document; each cut response is parsed when its `response` is first read. */
  doc: CassetteDocument;
  /** The response at a position, parsed and checked afresh each call (the parse cache writes these). */
  responseAt(position: number): Json | undefined;
}

/** An `&` where YAML could open an anchor (as MAYBE_ANCHOR in cassette-yaml.ts, erring towards yes on non-ASCII bytes). */
function mayHoldAnchor(bytes: Buffer): boolean {
  for (let i = bytes.indexOf(0x26); i >= 0; i = bytes.indexOf(0x26, i + 1)) {
    const before = i === 0 ? SPACE : bytes[i - 1];
    const after = bytes[i + 1];
    if ((before <= SPACE || before >= 0x80 || before === 0x5b || before === 0x7b || before === 0x2c) && after !== undefined && after > SPACE) return true;
  }
  return false;
}

/** The first byte of a plain or quoted key. */
const opensKey = (b: number): boolean => (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39) || b === 0x5f || b === 0x22 || b === 0x27;

/** The byte ranges of the responses, by item, and the keys' indentation; undefined for a layout not cut. */
function findResponses(bytes: Buffer): { ranges: Map<number, [number, number]>; items: number; keyIndent: number } | undefined {
  if (bytes.includes(0x0d) || bytes.includes(ASSET_MARKER) || mayHoldAnchor(bytes)) return undefined;
  const head = bytes.indexOf(INTERACTIONS_LINE);
  if (head < 0) return undefined;
  const ranges = new Map<number, [number, number]>();
  let items = 0;
  let itemIndent = -1;
  const lineAt = (pos: number) => {
    let indent = 0;
    while (bytes[pos + indent] === SPACE) indent++;
    const end = bytes.indexOf(NL, pos);
    const eol = end < 0 ? bytes.length : end;
    const c = bytes[pos + indent];
    return { indent, eol, content: pos + indent < eol && c !== 0x23 };
  };
  // A list may sit at its key's indentation (`sse:` then `- event: …`): only another key or item ends a value.
  const endsValue = (line: { indent: number; content: boolean }, pos: number) =>
    line.content && (line.indent < itemIndent + 2 || (line.indent === itemIndent + 2 && !(bytes[pos + line.indent] === 0x2d && (bytes[pos + line.indent + 1] ?? NL) <= SPACE)));
  for (let pos = head + INTERACTIONS_LINE.length; pos < bytes.length;) {
    const { indent, eol, content } = lineAt(pos);
    const next = eol + 1;
    if (!content) {
      pos = next;
      continue;
    }
    const at = pos + indent;
    const item = bytes[at] === 0x2d && bytes[at + 1] === SPACE && opensKey(bytes[at + 2]);
    if (itemIndent < 0) {
      if (!item) return undefined;
      itemIndent = indent;
    }
    if (indent === 0 && !item) break; // the next root key
    if (indent === itemIndent && item) items++;
    else if (indent <= itemIndent + 1) return undefined;
    else if (indent === itemIndent + 2 && bytes.subarray(at, at + RESPONSE_KEY.length).equals(RESPONSE_KEY) && (bytes[at + RESPONSE_KEY.length] ?? NL) <= SPACE) {
      if (ranges.has(items - 1)) return undefined; // a duplicate key: the eager reader reports it
      let end = next;
      for (let line = lineAt(end); end < bytes.length && !endsValue(line, end); line = lineAt(end)) end = line.eol + 1;
      ranges.set(items - 1, [pos, Math.min(end, bytes.length)]);
      pos = end;
      continue;
    }
    pos = next;
  }
  return { ranges, items, keyIndent: itemIndent + 2 };
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
 * Reads a large YAML cassette with each response parsed on its first read, or
 * undefined when its layout or its fields outside the responses are left to
 * the eager readers. A response that cannot be read throws on its first read
 * the error a full read of the file gives (`CassetteCorruptError` with its
 * line and field), the whole text being parsed again to find it.
 *
 * @example
 * const doc = readLazily(bytes, file)?.doc ?? parseCassette(bytes.toString('utf8'), file);
 */
export function readLazily(bytes: Buffer, file: string): LazyRead | undefined {
  const found = findResponses(bytes);
  if (!found) return undefined;
  const { ranges, items, keyIndent } = found;
  const rest: Buffer[] = [];
  let from = 0;
  for (const [start, end] of ranges.values()) {
    rest.push(bytes.subarray(from, start));
    from = end;
  }
  rest.push(bytes.subarray(from));
  const raws: unknown[] = [];
  let doc: CassetteDocument;
  try {
    const data = load(Buffer.concat(rest).toString('utf8'), { schema: CORE_SCHEMA });
    if (!isJsonObject(data) || !Array.isArray(data.interactions) || data.interactions.length !== items) return undefined;
    for (const [position] of ranges) {
      const raw = data.interactions[position];
      if (!isJsonObject(raw) || 'response' in raw) return undefined;
      // Present, so validation sees a response; its shape is checked when it is parsed.
      raw.response = undefined as unknown as Json;
      raws[position] = raw;
    }
    doc = validateCassette(data, file);
  } catch {
    return undefined;
  }
  const responseAt = (position: number): Json | undefined => {
    const range = ranges.get(position);
    if (!range) return doc.interactions[position]?.response;
    try {
      const parsed = load(dedent(bytes.toString('utf8', range[0], range[1]), keyIndent), { schema: CORE_SCHEMA });
      if (!isJsonObject(parsed) || Object.keys(parsed).length !== 1) throw new Error('not one response');
      validateCassette({ version: '1', interactions: [{ ...(raws[position] as object), response: parsed.response }] }, file);
      return parsed.response;
    } catch {
      // The eager reader finds the first error of the file, with its line, as on any read.
      return parseCassette(bytes.toString('utf8'), file).interactions[position].response;
    }
  };
  for (const position of ranges.keys()) {
    const interaction = doc.interactions[position];
    // A recorded error wins over a response; a full read still parses that response's text.
    if (interaction.error !== undefined) responseAt(position);
    else defineLazy(interaction, 'response', () => responseAt(position) as Json);
  }
  return { doc, responseAt };
}
