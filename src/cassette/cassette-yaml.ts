/**
 * The YAML form of a cassette (docs/format.md), read and written with one YAML
 * library, js-yaml: it parses a large cassette about five times faster than
 * the `yaml` document model (a 10 MB cassette: ~124 ms against ~630 ms), which
 * dominates cold start.
 *
 * What {@link serializeCassette} writes: keys in schema order, block style,
 * multi-line strings as block literals, long strings never folded, no anchors
 * or aliases, a trailing newline.
 *
 * {@link parseCassette} never returns an empty cassette for a file it could
 * not read; it throws `CassetteCorruptError` naming the file and the line
 * (a syntax error) or the field and its line (yaml-field-lines.ts), or
 * `SchemaVersionError`. Duplicate keys and unknown tags are syntax errors;
 * anchors are allowed, but their aliases may not expand past a bound.
 */
import { CORE_SCHEMA, dump, load, type YAMLException } from 'js-yaml';
import { CassetteCorruptError } from '../errors';
import { isJsonObject } from '../json';
import { ASSET_MARKER, inlineAssets } from './cassette-assets';
import { NEXT_STEP, orderCassette, validateCassette, type CassetteDocument, type LineLookup } from './cassette-schema';
import { lineOfField } from './yaml-field-lines';

/**
 * Renders a cassette as YAML with stable key order and a trailing newline.
 *
 * @example
 * fs.writeFileSync(file, serializeCassette(doc));
 */
export function serializeCassette(doc: CassetteDocument): string {
  const text = dump(orderCassette(doc), { schema: CORE_SCHEMA, lineWidth: -1, noRefs: true, skipInvalid: true });
  return preferDoubleQuotes(text.endsWith('\n') ? text : `${text}\n`);
}

/** A block scalar's header after `key: ` or `- `: `|`, `>-`, `|2+`… */
const BLOCK_SCALAR_HEADER = /^[|>][0-9+-]*$/;

/**
 * The quoting cassettes have always had (docs/format.md shows `version: "1"`):
 * a string that must be quoted is double-quoted, unless it holds a `"` or a
 * backslash, which read better single-quoted (`'{"city":"Paris"}'`). js-yaml
 * single-quotes every such string; this rewrites those that have neither
 * character. A single-quoted scalar from js-yaml is printable and on one line,
 * so between double quotes it needs no escape. Lines of block scalars are
 * text, and left as they are.
 */
function preferDoubleQuotes(text: string): string {
  if (!text.includes("'")) return text;
  const lines = text.split('\n');
  let blockIndent = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const content = line.trimStart();
    const indent = line.length - content.length;
    if (blockIndent >= 0) {
      if (content === '' || indent > blockIndent) continue;
      blockIndent = -1;
    }
    const items = /^(?:- )*/.exec(content)![0];
    let rest = content.slice(items.length);
    let out = line.slice(0, indent) + items;
    // A key, quoted or plain, then its value on the same line.
    let key = quotedToken(rest);
    if (key === undefined && rest[0] !== "'" && rest[0] !== '"') {
      const colon = rest.indexOf(': ');
      key = colon >= 0 ? rest.slice(0, colon) : rest.endsWith(':') ? rest.slice(0, -1) : undefined;
    }
    if (key !== undefined && rest.startsWith(`${key}:`)) {
      out += `${requoted(key)}:`;
      rest = rest.slice(key.length + 1);
      if (rest.startsWith(' ')) {
        out += ' ';
        rest = rest.slice(1);
      }
    }
    if (BLOCK_SCALAR_HEADER.test(rest)) blockIndent = indent;
    if (rest.startsWith("'") && quotedToken(rest) === rest) rest = requoted(rest);
    lines[i] = out + rest;
  }
  return lines.join('\n');
}

/** The quoted scalar `rest` starts with (single or double quotes), or undefined. */
function quotedToken(rest: string): string | undefined {
  const quote = rest[0];
  if (quote !== "'" && quote !== '"') return undefined;
  for (let i = 1; i < rest.length; i++) {
    if (quote === '"' && rest[i] === '\\') i++;
    else if (rest[i] === quote) {
      if (quote === "'" && rest[i + 1] === "'") i++;
      else return rest.slice(0, i + 1);
    }
  }
  return undefined;
}

function requoted(token: string): string {
  if (token[0] !== "'") return token;
  const value = token.slice(1, -1).replace(/''/g, "'");
  return /["\\]/.test(value) ? token : `"${value}"`;
}

/**
 * An anchor can only open a node: after a line start, a space, or a flow
 * indicator. Text without this pattern has no anchor, hence no alias to expand
 * (js-yaml refuses an alias to an unknown anchor); a match may be a false
 * alarm inside a string, which only costs the count below.
 *
 * @example
 * MAYBE_ANCHOR.test('base: &b { a: 1 }'); // true
 */
export const MAYBE_ANCHOR = /(?:^|[\s[{,])&[^\s]/;

/**
 * How many values a document with anchors may hold once its aliases are
 * expanded, beyond one per character of its text (which a document without
 * aliases never exceeds): enough for aliases reused by hand, not for an
 * alias bomb that expands a few hundred bytes into billions of values.
 */
const EXTRA_EXPANDED_VALUES = 10_000;

/** True when walking `data` with its aliases expanded visits at most `limit` values. */
function expandsWithin(data: unknown, limit: number): boolean {
  const stack: unknown[] = [data];
  let visited = 0;
  while (stack.length > 0) {
    const value = stack.pop();
    if (++visited > limit) return false;
    if (Array.isArray(value)) for (const item of value) stack.push(item);
    else if (isJsonObject(value)) for (const key in value) stack.push(value[key]);
  }
  return true;
}

/** js-yaml's reading of cassette text (core schema, duplicate keys refused), or a CassetteCorruptError. */
function loadCassetteYaml(text: string, file: string): unknown {
  let data: unknown;
  try {
    data = load(text, { schema: CORE_SCHEMA, filename: file });
  } catch (error) {
    const { mark, reason, message } = error as YAMLException;
    const where = mark ? `line ${mark.line + 1}, column ${mark.column + 1}` : 'unknown line';
    throw new CassetteCorruptError(`Cassette ${file} is not valid YAML (${where}): ${(reason ?? message).split('\n')[0]}\n${NEXT_STEP}`);
  }
  if (MAYBE_ANCHOR.test(text) && !expandsWithin(data, text.length + EXTRA_EXPANDED_VALUES)) {
    throw new CassetteCorruptError(`Cassette ${file} could not be read: its aliases expand to more than ${text.length + EXTRA_EXPANDED_VALUES} values (an alias bomb?).\n${NEXT_STEP}`);
  }
  return data;
}

/**
 * Parses and validates cassette text. `file` labels errors, and locates the
 * payloads a Python-written cassette keeps beside it (src/cassette/cassette-assets.ts).
 *
 * @example
 * const doc = parseCassette(fs.readFileSync(file, 'utf8'), file);
 */
export function parseCassette(text: string, file: string): CassetteDocument {
  const data = loadCassetteYaml(text, file);
  const lineOf: LineLookup = (path) => {
    const line = lineOfField(text, path);
    return line === undefined ? '' : ` (line ${line})`;
  };
  return validateCassette(text.includes(ASSET_MARKER) ? inlineAssets(data, file, lineOf) : data, file, lineOf);
}

/** What {@link loadVouched} returns for text it will not vouch for. */
const IN_DOUBT = Symbol('in doubt');

/**
 * js-yaml's reading of a part of a cassette, or IN_DOUBT on any error and on
 * any possible anchor: the line reader's parts are read apart, so an alias in
 * one could name an anchor in another; the whole text decides instead.
 */
function loadVouched(text: string): unknown {
  if (MAYBE_ANCHOR.test(text)) return IN_DOUBT;
  try {
    return load(text, { schema: CORE_SCHEMA });
  } catch {
    return IN_DOUBT;
  }
}

const INTERACTIONS_LINE = /^interactions:[ \t]*(#.*)?\r?$/;
const FIRST_ITEM_LINE = /^( *)-( |\r?$)/;

/**
 * Parses a cassette from its lines, one interaction at a time, so a large
 * file is never held whole: the peak is the parsed document plus one
 * interaction's text, instead of the text, the parser's state and the
 * document at once.
 *
 * It relies on the block layout every writer of the format produces: a
 * top-level `interactions:` line, then items each starting with `- ` at one
 * indentation. YAML requires an item's other lines (block scalars and
 * multi-line strings included) to be indented deeper, so a line at that
 * indentation starting with `- ` always opens the next item. Anything else —
 * another layout, an anchor, a syntax error, an invalid field — returns
 * undefined, and the caller parses the whole text with {@link parseCassette},
 * which decides and reports with lines and fields.
 *
 * @example
 * const doc = parseCassetteLines(readLines(file), file) ?? parseCassette(fs.readFileSync(file, 'utf8'), file);
 */
export function parseCassetteLines(lines: Iterable<string>, file: string): CassetteDocument | undefined {
  const outside: string[] = [];
  const interactions: unknown[] = [];
  let item: string[] | undefined;
  let itemPrefix: string | undefined;
  let phase: 'header' | 'items' | 'trailer' = 'header';
  let assets = false;
  const flushItem = (): boolean => {
    if (!item) return true;
    const parsed = loadVouched(item.join('\n'));
    item = undefined;
    if (!Array.isArray(parsed) || parsed.length !== 1) return false;
    interactions.push(parsed[0]);
    return true;
  };
  for (const line of lines) {
    assets ||= line.includes(ASSET_MARKER);
    if (phase === 'header') {
      if (INTERACTIONS_LINE.test(line)) phase = 'items';
      else outside.push(line);
      continue;
    }
    if (phase === 'trailer') {
      outside.push(line);
      continue;
    }
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed === '\r' || trimmed.startsWith('#')) {
      item?.push(line);
      continue;
    }
    if (itemPrefix === undefined) {
      const first = FIRST_ITEM_LINE.exec(line);
      if (!first) return undefined;
      itemPrefix = `${first[1]}-`;
    }
    const rest = line.startsWith(itemPrefix) ? line.slice(itemPrefix.length) : undefined;
    if (rest !== undefined && (rest === '' || rest === '\r' || rest.startsWith(' '))) {
      if (!flushItem()) return undefined;
      item = [line];
    } else if (line.length - trimmed.length >= itemPrefix.length) {
      item?.push(line);
    } else {
      phase = 'trailer';
      outside.push(line);
    }
  }
  if (!flushItem()) return undefined;
  const root = loadVouched(outside.join('\n'));
  if (root === IN_DOUBT) return undefined;
  // No `interactions:` line: the whole text was read as one (say `interactions: []`).
  if (phase === 'header') return safelyValidate(root, file, assets);
  if (root !== null && (!isJsonObject(root) || 'interactions' in root)) return undefined;
  return safelyValidate({ ...(root ?? {}), interactions }, file, assets);
}

/**
 * Validates, after putting back the payloads kept beside the cassette when its
 * text names any (only Python-written cassettes do, so others are not walked).
 */
function safelyValidate(data: unknown, file: string, assets: boolean): CassetteDocument | undefined {
  try {
    return validateCassette(assets ? inlineAssets(data, file) : data, file);
  } catch {
    return undefined;
  }
}
