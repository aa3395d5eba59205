/**
 * The AgentTape cassette file format, schema version '1', shared with the
 * Python AgentTape (docs/format.md).
 *
 * Invariants of what `serializeCassette` writes:
 * - root keys in the order `version`, `created_at`, `run_id`, `meta`, `interactions`;
 * - `version` is the string `'1'`;
 * - each interaction's keys in the order `index`, `kind`, `boundary`, `request`,
 *   `response` | `error`, `match_key`, `latency_ms`, `usage`, `tags`, `metadata`;
 * - bodies are stored decoded (`json`, `form`, `text` or `body_b64`), never as wire bytes;
 *   a streamed response keeps its chunks in order instead, as `sse` events or
 *   `chunks` (see src/http/streamed-body.ts);
 * - no anchors or aliases, long strings never folded, a trailing newline.
 *
 * `parseCassette` is the only reader: it never returns an empty cassette for a
 * file it could not read; it throws `CassetteCorruptError` naming the file and
 * the line or field, or `SchemaVersionError`.
 *
 * The same document may be stored as JSON (`format: 'json'`): the same keys in
 * the same order, two-space indentation, a trailing newline.
 */
import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
import type { Node as YamlNode } from 'yaml';
import { CassetteCorruptError, SchemaVersionError } from '../errors';
import { ASSET_MARKER, inlineAssets } from './cassette-assets';

/**
 * The `yaml` package, loaded on first use: it writes cassettes and reports
 * problems with lines and fields, but replaying cassettes that js-yaml reads
 * cleanly never needs it, and loading it costs ~40 ms in every Jest worker.
 */
function yamlPackage(): typeof import('yaml') {
  return require('yaml') as typeof import('yaml');
}

/** The schema version this package reads and writes. */
const SCHEMA_VERSION = '1';

/** Every interaction kind of the shared format. */
const INTERACTION_KINDS = ['llm', 'tool', 'retrieval', 'memory_read', 'memory_write', 'http'] as const;

/** One of {@link INTERACTION_KINDS}. */
export type InteractionKind = (typeof INTERACTION_KINDS)[number];

/** A JSON-like value as it is stored in a cassette. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * The key under which an event of a stored stream keeps its JSON `data` as
 * compact text, in the parse cache's form of the events (see {@link UNPARSED_EVENTS}).
 */
export const EVENT_DATA_TEXT = 'data_json' as const;

/**
 * A response read from the parse cache holds here (non-enumerable) its `sse`
 * events as they were cached — each event's JSON `data` still text under
 * {@link EVENT_DATA_TEXT} — until its `sse` is read. Replay writes that text
 * instead of parsing and serializing every event's data; anything that reads
 * `sse` gets the events as stored, and the unparsed form is dropped.
 *
 * @example
 * const events = (response as { [UNPARSED_EVENTS]?: Json[] })[UNPARSED_EVENTS] ?? response.sse;
 */
export const UNPARSED_EVENTS: unique symbol = Symbol('agenttape.unparsedEvents');

/** A recorded error (`error` instead of `response`). */
export interface RecordedError {
  type: string;
  message: string;
  module?: string;
  [key: string]: Json | undefined;
}

/** One recorded boundary crossing. */
export interface Interaction {
  index: number;
  kind: InteractionKind;
  boundary: string;
  request: { [key: string]: Json };
  response?: Json;
  error?: RecordedError;
  match_key: string;
  latency_ms: number | null;
  usage: { [key: string]: Json } | null;
  tags: string[];
  metadata: { [key: string]: Json };
}

/** A whole cassette file. */
export interface CassetteDocument {
  version: string;
  created_at: string;
  run_id: string;
  meta: { [key: string]: Json };
  interactions: Interaction[];
}

const INTERACTION_KEY_ORDER = [
  'index',
  'kind',
  'boundary',
  'request',
  'response',
  'error',
  'match_key',
  'latency_ms',
  'usage',
  'tags',
  'metadata',
] as const;

/**
 * Renders a cassette as YAML with stable key order and a trailing newline.
 *
 * @example
 * fs.writeFileSync(file, serializeCassette(doc));
 */
export function serializeCassette(doc: CassetteDocument): string {
  const ordered = orderCassette(doc);
  const text = yamlPackage().stringify(ordered, {
    aliasDuplicateObjects: false,
    lineWidth: 0,
    minContentWidth: 0,
    defaultStringType: 'PLAIN',
    defaultKeyType: 'PLAIN',
  });
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** The document with root and interaction keys in schema order, for either format. */
function orderCassette(doc: CassetteDocument): Record<string, unknown> {
  return {
    version: SCHEMA_VERSION,
    created_at: doc.created_at,
    run_id: doc.run_id,
    meta: doc.meta,
    interactions: doc.interactions.map(orderInteraction),
  };
}

function orderInteraction(interaction: Interaction): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of INTERACTION_KEY_ORDER) {
    const value = interaction[key];
    if (key === 'response' && interaction.error !== undefined) continue;
    if (key === 'error' && value === undefined) continue;
    out[key] = value === undefined ? null : value;
  }
  return out;
}

/** Limits that keep a hostile file from exhausting the worker. */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses and validates cassette text. `file` labels errors, and locates the
 * payloads a Python-written cassette keeps beside it (src/cassette/cassette-assets.ts).
 *
 * @example
 * const doc = parseCassette(fs.readFileSync(file, 'utf8'), file);
 */
export function parseCassette(text: string, file: string): CassetteDocument {
  return parseCassetteQuickly(text, file) ?? parseCassetteThoroughly(text, file);
}

/**
 * js-yaml reads a large cassette about ten times faster, in a fraction of the
 * memory, than the `yaml` document model (a 10 MB cassette: ~0.26 s against
 * ~2.9 s). It serves files it reads cleanly and that validate; anything in
 * doubt — a syntax error, an unknown tag, a duplicate key, any anchor (so no
 * alias can be expanded later), an invalid field — returns undefined, and the
 * thorough parser decides and reports with lines and fields.
 */
function parseCassetteQuickly(text: string, file: string): CassetteDocument | undefined {
  const data = loadPlainYaml(text);
  if (data === IN_DOUBT) return undefined;
  return safelyValidate(data, file, text.includes(ASSET_MARKER));
}

/** What {@link loadPlainYaml} returns for text it will not vouch for. */
const IN_DOUBT = Symbol('in doubt');

/** js-yaml's reading of `text`, or IN_DOUBT on any error and on any anchor. */
function loadPlainYaml(text: string): unknown {
  let anchors: Record<string, unknown> | undefined;
  try {
    const data = loadYaml(text, {
      schema: CORE_SCHEMA,
      listener(_event, state) {
        anchors ??= (state as unknown as { anchorMap: Record<string, unknown> }).anchorMap;
      },
    });
    return anchors && Object.keys(anchors).length > 0 ? IN_DOUBT : data;
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
    const parsed = loadPlainYaml(item.join('\n'));
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
  const root = loadPlainYaml(outside.join('\n'));
  if (root === IN_DOUBT) return undefined;
  // No `interactions:` line: the whole text was read as one (say `interactions: []`).
  if (phase === 'header') return safelyValidate(root, file, assets);
  if (root !== null && (!isPlainObject(root) || 'interactions' in root)) return undefined;
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

function parseCassetteThoroughly(text: string, file: string): CassetteDocument {
  const { LineCounter, parseDocument } = yamlPackage();
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    lineCounter,
    prettyErrors: true,
    uniqueKeys: true,
    strict: true,
  });
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem) {
    const where = problem.linePos ? `line ${problem.linePos[0].line}, column ${problem.linePos[0].col}` : 'unknown line';
    // prettyErrors appends the position and a colon; the position is already given once.
    const firstLine = problem.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new CassetteCorruptError(
      `Cassette ${file} is not valid YAML (${where}): ${firstLine}\n` +
        'The file was left untouched. Fix it by hand, restore it from version control, or delete it and re-record.',
    );
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new CassetteCorruptError(`Cassette ${file} could not be read: ${(error as Error).message}`);
  }
  const lineOf = (path: (string | number)[]): string => {
    const node = document.getIn(path, true) as YamlNode | undefined;
    const offset = node?.range?.[0];
    return offset === undefined ? '' : ` (line ${lineCounter.linePos(offset).line})`;
  };
  return validateCassette(text.includes(ASSET_MARKER) ? inlineAssets(data, file, lineOf) : data, file, lineOf);
}

type LineLookup = (path: (string | number)[]) => string;

function corrupt(file: string, field: string, expected: string, where: string): never {
  throw new CassetteCorruptError(
    `Cassette ${file} is corrupt: field "${field}"${where} ${expected}.\n` +
      'The file was left untouched. Fix the field, restore the file from version control, or delete it and re-record.',
  );
}

/**
 * True for a mapping (not null, not a list), as cassette values are read.
 *
 * @example
 * isPlainObject({ a: 1 }); // true
 * isPlainObject([1]);      // false
 */
export function isPlainObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks the shape of already-parsed cassette data (YAML or JSON).
 *
 * @example
 * validateCassette(JSON.parse(text), 'cassettes/a.json');
 */
export function validateCassette(data: unknown, file: string, lineOf: LineLookup = () => ''): CassetteDocument {
  if (!isPlainObject(data)) corrupt(file, '(root)', 'must be a mapping with version, meta and interactions', '');
  const version = data.version;
  if (version === undefined || version === null) corrupt(file, 'version', 'is missing', '');
  if (String(version) !== SCHEMA_VERSION) {
    throw new SchemaVersionError(
      `Cassette ${file} has schema version "${String(version)}", which this AgentTape does not support (supported: "${SCHEMA_VERSION}").\n` +
        'Upgrade agenttape, or re-record the cassette with AGENTTAPE_MODE=record. The file was left untouched.',
    );
  }
  const meta = data.meta ?? {};
  if (!isPlainObject(meta)) corrupt(file, 'meta', 'must be a mapping', lineOf(['meta']));
  validateMeta(meta, file, lineOf);
  const interactions = data.interactions ?? [];
  if (!Array.isArray(interactions)) corrupt(file, 'interactions', 'must be a list', lineOf(['interactions']));
  return {
    version: SCHEMA_VERSION,
    created_at: String(data.created_at ?? ''),
    run_id: String(data.run_id ?? ''),
    meta: meta,
    interactions: interactions.map((raw, i) => validateInteraction(raw, i, file, lineOf)),
  };
}

const isStringList = (value: unknown): boolean => Array.isArray(value) && value.every((item) => typeof item === 'string');

/**
 * The parts of `meta` that replay reads: the freeze values (a damaged one would
 * silently replay a different clock, seed or UUIDs) and the tags. Each may be
 * absent — cassettes written elsewhere (the Python AgentTape, by hand) often
 * have no freeze — but when present it has the type this library writes.
 */
function validateMeta(meta: { [key: string]: Json }, file: string, lineOf: LineLookup): void {
  const check = (ok: boolean, path: string[], expected: string) => {
    if (!ok) corrupt(file, path.join('.'), expected, lineOf(path));
  };
  const present = (value: unknown) => value !== undefined && value !== null;
  if (present(meta.tags)) check(isStringList(meta.tags), ['meta', 'tags'], 'must be a list of strings');
  const freeze = meta.freeze;
  if (!present(freeze)) return;
  check(isPlainObject(freeze), ['meta', 'freeze'], 'must be a mapping');
  const values = freeze as { [key: string]: Json };
  if (present(values.features)) check(isStringList(values.features), ['meta', 'freeze', 'features'], 'must be a list of strings');
  if (present(values.base_time)) check(typeof values.base_time === 'number' && Number.isFinite(values.base_time), ['meta', 'freeze', 'base_time'], 'must be a number (seconds since 1970)');
  if (present(values.base_iso)) check(typeof values.base_iso === 'string' && !Number.isNaN(Date.parse(values.base_iso)), ['meta', 'freeze', 'base_iso'], 'must be an ISO date string');
  if (present(values.random_seed)) check(typeof values.random_seed === 'number' && Number.isInteger(values.random_seed), ['meta', 'freeze', 'random_seed'], 'must be an integer');
  if (present(values.uuids)) check(isStringList(values.uuids), ['meta', 'freeze', 'uuids'], 'must be a list of strings');
}

function validateInteraction(raw: unknown, i: number, file: string, lineOf: LineLookup): Interaction {
  const at = (key?: string): [string, string] => {
    const path = key === undefined ? ['interactions', i] : ['interactions', i, key];
    return [key === undefined ? `interactions[${i}]` : `interactions[${i}].${key}`, lineOf(path)];
  };
  const fail = (key: string | undefined, expected: string): never => {
    const [field, where] = at(key);
    return corrupt(file, field, expected, where);
  };
  if (!isPlainObject(raw)) return fail(undefined, 'must be a mapping');
  const { kind, request, response, error, index } = raw;
  if (typeof kind !== 'string' || !(INTERACTION_KINDS as readonly string[]).includes(kind)) {
    fail('kind', `must be one of ${INTERACTION_KINDS.join(', ')} (found ${JSON.stringify(kind)})`);
  }
  if (index !== undefined && (typeof index !== 'number' || !Number.isInteger(index))) fail('index', 'must be an integer');
  if (!isPlainObject(request)) fail('request', 'must be a mapping');
  const hasError = error !== undefined && error !== null;
  if (!hasError && !('response' in raw)) fail(undefined, 'has neither "response" nor "error"');
  if (hasError && (!isPlainObject(error) || typeof error.message !== 'string')) {
    fail('error', 'must be a mapping with a string "message"');
  }
  const boundary = raw.boundary ?? (kind === 'llm' ? 'llm' : String((request as Record<string, unknown>).name ?? kind));
  if (typeof boundary !== 'string') fail('boundary', 'must be a string');
  if (raw.match_key !== undefined && raw.match_key !== null && typeof raw.match_key !== 'string') fail('match_key', 'must be a string');
  const latency = raw.latency_ms ?? null;
  if (latency !== null && typeof latency !== 'number') fail('latency_ms', 'must be a number');
  const usage = raw.usage ?? null;
  if (usage !== null && !isPlainObject(usage)) fail('usage', 'must be a mapping');
  const tags = raw.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) fail('tags', 'must be a list of strings');
  const metadata = raw.metadata ?? {};
  if (!isPlainObject(metadata)) fail('metadata', 'must be a mapping');
  if (kind === 'http' || (kind === 'llm' && isPlainObject(request) && 'method' in request)) {
    validateHttpShape(request as Record<string, unknown>, hasError ? undefined : response, fail);
  }
  const interaction: Interaction = {
    index: typeof index === 'number' ? index : i,
    kind: kind as InteractionKind,
    boundary: boundary as string,
    request: request as Interaction['request'],
    match_key: (raw.match_key as string | undefined) ?? '',
    latency_ms: latency as number | null,
    usage: usage as Interaction['usage'],
    tags: tags as string[],
    metadata: metadata as Interaction['metadata'],
  };
  if (hasError) interaction.error = error as unknown as RecordedError;
  else interaction.response = response;
  return interaction;
}

const isHeaderScalar = (value: unknown): boolean => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/**
 * Header values replay as text: a scalar (a hand-written `content-length: 12` is
 * fine) or a list of scalars. A mapping would replay as "[object Object]" without a word.
 */
function validateHeaders(headers: unknown, key: 'request' | 'response', fail: (key: string | undefined, expected: string) => never): void {
  if (headers === undefined || headers === null) return;
  if (!isPlainObject(headers)) fail(key, '"headers" must be a mapping');
  for (const [name, value] of Object.entries(headers)) {
    if (!isHeaderScalar(value) && !(Array.isArray(value) && value.every(isHeaderScalar))) fail(key, `header "${name}" must be a string or a list of strings`);
  }
}

/** A body field of the wrong type would replay as an empty body without a word: refuse it. */
function validateBodyFields(body: Record<string, unknown>, key: 'request' | 'response', fail: (key: string | undefined, expected: string) => never): void {
  for (const name of ['text', 'body_b64', 'raw_b64']) {
    const value = body[name];
    if (value !== undefined && value !== null && typeof value !== 'string') fail(key, `"${name}" must be a string`);
  }
  if (body.form !== undefined && body.form !== null && !isPlainObject(body.form)) fail(key, '"form" must be a mapping');
}

function validateHttpShape(
  request: Record<string, unknown>,
  response: unknown,
  fail: (key: string | undefined, expected: string) => never,
): void {
  if (typeof request.method !== 'string') fail('request', 'must have a string "method"');
  if (typeof request.url !== 'string') fail('request', 'must have a string "url"');
  validateHeaders(request.headers, 'request', fail);
  validateBodyFields(request, 'request', fail);
  if (response === undefined) return;
  if (!isPlainObject(response)) fail('response', 'must be a mapping with status_code');
  validateBodyFields(response, 'response', fail);
  const status = (response as Record<string, unknown>).status_code;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 999) {
    fail('response', 'must have an integer "status_code" between 100 and 999');
  }
  validateHeaders((response as Record<string, unknown>).headers, 'response', fail);
  for (const key of ['sse', 'chunks']) {
    const list = (response as Record<string, unknown>)[key];
    if (list !== undefined && (!Array.isArray(list) || list.some((item) => !isPlainObject(item)))) fail('response', `"${key}" must be a list of mappings`);
  }
}

/**
 * The file formats a cassette may be stored in.
 *
 * @example
 * CASSETTE_FORMATS.includes(config.format); // true
 */
export const CASSETTE_FORMATS = ['yaml', 'json'] as const;

/** One of {@link CASSETTE_FORMATS}. */
export type CassetteFormat = (typeof CASSETTE_FORMATS)[number];

/**
 * The file extension of a format.
 *
 * @example
 * extensionOf('json'); // '.json'
 */
export function extensionOf(format: CassetteFormat): string {
  return format === 'json' ? '.json' : '.yaml';
}

/**
 * The format a cassette file is stored in, from its extension (`.json`, else YAML).
 *
 * @example
 * formatOfFile('cassettes/a.test.ts/works.json'); // 'json'
 */
export function formatOfFile(file: string): CassetteFormat {
  return file.toLowerCase().endsWith('.json') ? 'json' : 'yaml';
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
    const yamlProblem = position ? undefined : yamlPackage().parseDocument(text, { prettyErrors: true }).errors[0]?.linePos?.[0];
    const line = position ? text.slice(0, Number(position[1])).split('\n').length : yamlProblem?.line;
    const where = line === undefined ? 'unknown line' : `line ${line}`;
    throw new CassetteCorruptError(
      `Cassette ${file} is not valid JSON (${where}): ${message}\n` +
        'The file was left untouched. Fix it by hand, restore it from version control, or delete it and re-record.',
    );
  }
  return validateCassette(text.includes(ASSET_MARKER) ? inlineAssets(data, file) : data, file);
}

/**
 * Renders a cassette in the given format.
 *
 * @example
 * serializeCassetteAs(doc, formatOfFile(file));
 */
export function serializeCassetteAs(doc: CassetteDocument, format: CassetteFormat): string {
  return format === 'json' ? serializeCassetteJson(doc) : serializeCassette(doc);
}

/**
 * Parses cassette text in the format its file name says.
 *
 * @example
 * parseCassetteFile(fs.readFileSync(file, 'utf8'), file);
 */
export function parseCassetteFile(text: string, file: string): CassetteDocument {
  return formatOfFile(file) === 'json' ? parseCassetteJson(text, file) : parseCassette(text, file);
}
