/**
 * The AgentTape cassette format, schema version '1', shared with the Python
 * AgentTape (docs/format.md): its types, constants, key order and validator,
 * the same for every file format (YAML in cassette-yaml.ts, JSON in
 * cassette-json.ts).
 *
 * Invariants of what the writers write:
 * - root keys in the order `version`, `created_at`, `run_id`, `meta`, `interactions`;
 * - `version` is the string `'1'`;
 * - each interaction's keys in the order `index`, `kind`, `boundary`, `request`,
 *   `response` | `error`, `match_key`, `latency_ms`, `usage`, `tags`, `metadata`;
 * - bodies are stored decoded (`json`, `form`, `text` or `body_b64`), never as wire bytes;
 *   a streamed response keeps its chunks in order instead, as `sse` events or
 *   `chunks` (see docs/streams-and-bodies.md).
 *
 * Readers never return an empty cassette for a file they could not read: they
 * throw `CassetteCorruptError` naming the file and the line or field, or
 * `SchemaVersionError` (from {@link validateCassette}).
 */
import { CassetteCorruptError, SchemaVersionError } from '../errors';
import { isJsonObject, type Json, type JsonObject } from '../json';

/**
 * The schema version this package reads and writes.
 *
 * @example
 * String(doc.version) === SCHEMA_VERSION; // true for a readable cassette
 */
export const SCHEMA_VERSION = '1';

/**
 * A duration as a cassette stores it (`latency_ms`, `delay_ms`): milliseconds
 * to 0.1 ms, finer than a recording can mean and short enough to read.
 *
 * @example
 * toStoredMs(40.8731); // 40.9
 */
export function toStoredMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/**
 * Every interaction kind of the shared format.
 *
 * @example
 * INTERACTION_KINDS.includes('http'); // true
 */
const INTERACTION_KINDS = ['llm', 'tool', 'retrieval', 'memory_read', 'memory_write', 'http'] as const;

/**
 * One of {@link INTERACTION_KINDS}.
 *
 * @example
 * const kind: InteractionKind = 'tool';
 */
export type InteractionKind = (typeof INTERACTION_KINDS)[number];

/**
 * A recorded error (`error` instead of `response`).
 *
 * @example
 * const error: RecordedError = { type: 'TimeoutError', message: 'took too long' };
 */
export interface RecordedError {
  type: string;
  message: string;
  module?: string;
  [key: string]: Json | undefined;
}

/**
 * One recorded boundary crossing.
 *
 * @example
 * const first: Interaction = doc.interactions[0];
 */
export interface Interaction {
  index: number;
  kind: InteractionKind;
  boundary: string;
  request: JsonObject;
  response?: Json;
  error?: RecordedError;
  match_key: string;
  latency_ms: number | null;
  usage: JsonObject | null;
  tags: string[];
  metadata: JsonObject;
}

/**
 * A whole cassette file.
 *
 * @example
 * const doc: CassetteDocument = { version: '1', created_at: '', run_id: '', meta: {}, interactions: [] };
 */
export interface CassetteDocument {
  version: string;
  created_at: string;
  run_id: string;
  meta: JsonObject;
  interactions: Interaction[];
}

/**
 * The keys of an interaction, in the order the writers put them.
 *
 * @example
 * INTERACTION_KEY_ORDER[0]; // 'index'
 */
const INTERACTION_KEY_ORDER = ['index', 'kind', 'boundary', 'request', 'response', 'error', 'match_key', 'latency_ms', 'usage', 'tags', 'metadata'] as const;

/**
 * The document with root and interaction keys in schema order, as every writer
 * writes it (a missing field becomes null; `response` gives way to `error`).
 *
 * @example
 * JSON.stringify(orderCassette(doc), null, 2);
 */
export function orderCassette(doc: CassetteDocument): Record<string, unknown> {
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

/**
 * What a reader's error advises for a file it cannot read; whatever failed,
 * the file is never rewritten.
 *
 * @example
 * throw new CassetteCorruptError(`Cassette ${file} is not valid JSON (${where}): ${message}\n${NEXT_STEP}`);
 */
export const NEXT_STEP = 'The file was left untouched. Fix it by hand, restore it from version control, or delete it and re-record.';

/**
 * The ` (line N)` to put after a field in an error message, or '' when the
 * reader cannot tell the line (JSON, the parse cache).
 *
 * @example
 * const lineOf: LineLookup = (path) => (path[0] === 'meta' ? ' (line 3)' : '');
 */
export type LineLookup = (path: (string | number)[]) => string;

function corrupt(file: string, field: string, expected: string, where: string): never {
  throw new CassetteCorruptError(`Cassette ${file} is corrupt: field "${field}"${where} ${expected}.\n` + 'The file was left untouched. Fix the field, restore the file from version control, or delete it and re-record.');
}

/**
 * Checks the shape of already-parsed cassette data (YAML or JSON).
 *
 * @example
 * validateCassette(JSON.parse(text), 'cassettes/a.json');
 */
export function validateCassette(data: unknown, file: string, lineOf: LineLookup = () => ''): CassetteDocument {
  if (!isJsonObject(data)) corrupt(file, '(root)', 'must be a mapping with version, meta and interactions', '');
  const version = data.version;
  if (version === undefined || version === null) corrupt(file, 'version', 'is missing', '');
  if (String(version) !== SCHEMA_VERSION) {
    throw new SchemaVersionError(
      `Cassette ${file} has schema version "${String(version)}", which this AgentTape does not support (supported: "${SCHEMA_VERSION}").\n` +
        'Upgrade agenttape, or re-record the cassette with AGENTTAPE_MODE=record. The file was left untouched.',
    );
  }
  const meta = data.meta ?? {};
  if (!isJsonObject(meta)) corrupt(file, 'meta', 'must be a mapping', lineOf(['meta']));
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
function validateMeta(meta: JsonObject, file: string, lineOf: LineLookup): void {
  const check = (ok: boolean, path: string[], expected: string) => {
    if (!ok) corrupt(file, path.join('.'), expected, lineOf(path));
  };
  const present = (value: unknown) => value !== undefined && value !== null;
  if (present(meta.tags)) check(isStringList(meta.tags), ['meta', 'tags'], 'must be a list of strings');
  const freeze = meta.freeze;
  if (!present(freeze)) return;
  check(isJsonObject(freeze), ['meta', 'freeze'], 'must be a mapping');
  const values = freeze as JsonObject;
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
  if (!isJsonObject(raw)) return fail(undefined, 'must be a mapping');
  const { kind, request, response, error, index } = raw;
  if (typeof kind !== 'string' || !(INTERACTION_KINDS as readonly string[]).includes(kind)) {
    fail('kind', `must be one of ${INTERACTION_KINDS.join(', ')} (found ${JSON.stringify(kind)})`);
  }
  if (index !== undefined && (typeof index !== 'number' || !Number.isInteger(index))) fail('index', 'must be an integer');
  if (!isJsonObject(request)) fail('request', 'must be a mapping');
  const hasError = error !== undefined && error !== null;
  if (!hasError && !('response' in raw)) fail(undefined, 'has neither "response" nor "error"');
  if (hasError && (!isJsonObject(error) || typeof error.message !== 'string')) {
    fail('error', 'must be a mapping with a string "message"');
  }
  const boundary = raw.boundary ?? (kind === 'llm' ? 'llm' : String((request as Record<string, unknown>).name ?? kind));
  if (typeof boundary !== 'string') fail('boundary', 'must be a string');
  if (raw.match_key !== undefined && raw.match_key !== null && typeof raw.match_key !== 'string') fail('match_key', 'must be a string');
  const latency = raw.latency_ms ?? null;
  if (latency !== null && typeof latency !== 'number') fail('latency_ms', 'must be a number');
  const usage = raw.usage ?? null;
  if (usage !== null && !isJsonObject(usage)) fail('usage', 'must be a mapping');
  const tags = raw.tags ?? [];
  if (!isStringList(tags)) fail('tags', 'must be a list of strings');
  const metadata = raw.metadata ?? {};
  if (!isJsonObject(metadata)) fail('metadata', 'must be a mapping');
  if (kind === 'http' || (kind === 'llm' && isJsonObject(request) && 'method' in request)) {
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
  if (!isJsonObject(headers)) fail(key, '"headers" must be a mapping');
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
  if (body.form !== undefined && body.form !== null && !isJsonObject(body.form)) fail(key, '"form" must be a mapping');
}

function validateHttpShape(request: Record<string, unknown>, response: unknown, fail: (key: string | undefined, expected: string) => never): void {
  if (typeof request.method !== 'string') fail('request', 'must have a string "method"');
  if (typeof request.url !== 'string') fail('request', 'must have a string "url"');
  validateHeaders(request.headers, 'request', fail);
  validateBodyFields(request, 'request', fail);
  if (response === undefined) return;
  if (!isJsonObject(response)) fail('response', 'must be a mapping with status_code');
  validateBodyFields(response, 'response', fail);
  const status = response.status_code;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 999) {
    fail('response', 'must have an integer "status_code" between 100 and 999');
  }
  validateHeaders(response.headers, 'response', fail);
  for (const key of ['sse', 'chunks']) {
    const list = response[key];
    if (list !== undefined && (!Array.isArray(list) || list.some((item) => !isJsonObject(item)))) fail('response', `"${key}" must be a list of mappings`);
  }
}
