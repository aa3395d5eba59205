/**
 * The parse cache of large YAML cassettes: their parsed form as JSON lines
 * under `node_modules/.cache/agenttape/parsed`, keyed by the SHA-256 of the
 * cassette's bytes. YAML parsing costs about five times JSON parsing and
 * dominated cold start; the cache is never committed, any reader validates
 * what it reads, and a damaged or missing entry only means the cassette is
 * parsed again.
 *
 * An entry is the root fields on the first line, then one interaction per
 * line, its response after a tab (JSON text never holds a raw tab). Responses
 * stay unparsed until read: a test replays a few of a large cassette's
 * responses, and loading leaves no object graph of every stream's events for
 * the garbage collector to move. The JSON `data` of each stored server-sent
 * event is kept as its compact text (cached-events.ts), so replaying a stream
 * writes that text instead of parsing and serializing hundreds of small objects.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CassetteCorruptError } from '../errors';
import { writeFileAtomic } from './atomic-write';
import { isJsonObject, type Json } from '../json';
import { defineLazy, EVENT_DATA_TEXT, UNPARSED_EVENTS } from './cached-events';
import { validateCassette, type CassetteDocument, type Interaction } from './cassette-schema';

/** The name ending of entries in this layout; files of other layouts are pruned. */
const ENTRY_SUFFIX = '.v2.jsonl';

/** Entries unused for this long are removed (when a new entry is written). */
const MAX_IDLE_MS = 30 * 24 * 60 * 60 * 1000;

/** Marks a response line whose events keep their JSON `data` as text (under EVENT_DATA_TEXT). */
const EVENTS_AS_TEXT = 'E';
/** Marks a response line stored as plain JSON. */
const PLAIN = 'J';

/**
 * Where a project keeps parsed forms of its large YAML cassettes.
 *
 * @example
 * parseCacheFolder('/my/project'); // '/my/project/node_modules/.cache/agenttape/parsed'
 */
export function parseCacheFolder(rootDir: string): string {
  return path.join(rootDir, 'node_modules', '.cache', 'agenttape', 'parsed');
}

function entryPath(cacheDir: string, key: string): string {
  return path.join(cacheDir, `${key}${ENTRY_SUFFIX}`);
}

/**
 * The cached parsed form of a cassette whose bytes hash to `key`, or undefined
 * when there is none or it cannot be read. `file` labels errors.
 *
 * @example
 * const doc = readCacheEntry(parseCacheFolder(rootDir), hashFile(file), file) ?? parseAgain();
 */
export function readCacheEntry(cacheDir: string, key: string, file: string): CassetteDocument | undefined {
  const entry = entryPath(cacheDir, key);
  let doc: CassetteDocument;
  // Each response's bytes, decoded when it is read: decoding them all was most of reading an entry.
  const responses: ([number, number] | undefined)[] = [];
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(entry);
    let root: Record<string, unknown> | undefined;
    const interactions: unknown[] = [];
    for (let pos = 0, end = 0; pos < bytes.length; pos = end + 1) {
      end = bytes.indexOf(0x0a, pos);
      if (end < 0) end = bytes.length;
      if (end === pos) continue;
      if (root === undefined) {
        root = JSON.parse(bytes.toString('utf8', pos, end)) as Record<string, unknown>;
        continue;
      }
      const tab = bytes.subarray(pos, end).indexOf(0x09);
      if (tab === -1) {
        interactions.push(JSON.parse(bytes.toString('utf8', pos, end)));
        responses.push(undefined);
      } else {
        // Present but not parsed yet: validation sees a response, and skips its shape (checked when the entry was written).
        interactions.push({ ...(JSON.parse(bytes.toString('utf8', pos, pos + tab)) as object), response: undefined });
        responses.push([pos + tab + 1, end]);
      }
    }
    if (!root) return undefined;
    doc = validateCassette({ ...root, interactions }, file);
  } catch {
    return undefined;
  }
  doc.interactions.forEach((interaction, i) => {
    const range = responses[i];
    if (range === undefined) return;
    const damaged = (error: Error) =>
      new CassetteCorruptError(
        `The parsed copy of cassette ${file} in ${entry} is damaged (interaction ${interaction.index}: ${error.message}).\n` + 'Delete that file (a cache: the cassette is parsed again), then run the tests again.',
      );
    defineLazy(interaction, 'response', () => decodeResponse(bytes.toString('utf8', range[0], range[1]), damaged));
  });
  markUsed(entry);
  return doc;
}

/**
 * Stores the parsed form of a cassette whose bytes hash to `key`; at most
 * once a day, also removes entries unused for 30 days and files of earlier
 * cache layouts.
 * Never throws: a cache that cannot be written only costs time.
 *
 * @example
 * writeCacheEntry(parseCacheFolder(rootDir), key, doc);
 */
export function writeCacheEntry(cacheDir: string, key: string, doc: CassetteDocument, responseAt: ResponseAt = (i) => doc.interactions[i].response): void {
  try {
    // Not flushed to disk: a cache entry lost to a power cut is only parsed again.
    writeFileAtomic(entryPath(cacheDir, key), entryLines(doc, responseAt), { durable: false });
    prune(cacheDir);
  } catch {
    // Read-only or full disk: the cassette is simply parsed each time.
  }
}

/** The response of the interaction at a position, as the cassette's bytes hold it. */
type ResponseAt = (position: number) => Json | undefined;

function* entryLines(doc: CassetteDocument, responseAt: ResponseAt): Generator<string> {
  const { interactions, ...root } = doc;
  yield `${JSON.stringify(root)}\n`;
  for (let i = 0; i < interactions.length; i++) {
    // Without reading `response` itself: a response parsed on first read stays unparsed in the document.
    const { response: _unread, ...rest } = Object.getOwnPropertyDescriptors(interactions[i]);
    const fields = Object.defineProperties({}, rest) as Omit<Interaction, 'response'>;
    const response = fields.error === undefined ? responseAt(i) : undefined;
    yield response === undefined ? `${JSON.stringify({ ...fields, response })}\n` : `${JSON.stringify(fields)}\t${encodeResponse(response)}\n`;
  }
}

/** The response line: events' JSON `data` as text when that is unambiguous, else the plain JSON. */
function encodeResponse(response: Json): string {
  if (!isJsonObject(response) || !Array.isArray(response.sse) || response.sse.some((e) => isJsonObject(e) && EVENT_DATA_TEXT in e)) return PLAIN + JSON.stringify(response);
  const sse = response.sse.map((event) => {
    if (!isJsonObject(event) || typeof event.data !== 'object' || event.data === null) return event;
    // Rebuilt key by key, so the event keeps its key order when it is read back.
    const out: { [key: string]: Json } = {};
    for (const [key, value] of Object.entries(event)) {
      if (key === 'data') out[EVENT_DATA_TEXT] = JSON.stringify(value);
      else out[key] = value;
    }
    return out;
  });
  return EVENTS_AS_TEXT + JSON.stringify({ ...response, sse });
}

function decodeResponse(line: string, damaged: (error: Error) => Error): Json {
  let response: Json;
  try {
    if (line[0] !== PLAIN && line[0] !== EVENTS_AS_TEXT) throw new Error(`unknown response marker ${JSON.stringify(line[0])}`);
    response = JSON.parse(line.slice(1)) as Json;
  } catch (error) {
    throw damaged(error as Error);
  }
  if (line[0] !== EVENTS_AS_TEXT || !isJsonObject(response) || !Array.isArray(response.sse)) return response;
  const unparsed = response.sse;
  // Replay serializes these as they are; whoever reads `sse` gets the events as stored.
  Object.defineProperty(response, UNPARSED_EVENTS, { value: unparsed, configurable: true, enumerable: false });
  defineLazy(response, 'sse', () => unparsed.map((event) => parseEventData(event, damaged)));
  return response;
}

/** An event of the cache's unparsed form as stored: its data parsed, in the same place among its keys. */
function parseEventData(event: Json, damaged: (error: Error) => Error): Json {
  if (!isJsonObject(event) || typeof event[EVENT_DATA_TEXT] !== 'string') return event;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(event)) {
    if (key !== EVENT_DATA_TEXT) {
      out[key] = value;
      continue;
    }
    try {
      out.data = JSON.parse(value as string) as Json;
    } catch (error) {
      throw damaged(error as Error);
    }
  }
  return out;
}

/** Dates an entry's last use in its modification time, which pruning reads. */
function markUsed(entry: string): void {
  try {
    const now = new Date();
    fs.utimesSync(entry, now, now);
  } catch {
    // A read-only cache is still a cache.
  }
}

/** How often the folder is swept: a sweep reads every entry's date, so not on every write. */
const PRUNE_EVERY_MS = 24 * 60 * 60 * 1000;

function prune(cacheDir: string): void {
  const marker = path.join(cacheDir, '.last-pruned');
  try {
    if (Date.now() - fs.statSync(marker).mtimeMs < PRUNE_EVERY_MS) return;
  } catch {
    // Never swept yet.
  }
  fs.writeFileSync(marker, '');
  const oldest = Date.now() - MAX_IDLE_MS;
  for (const name of fs.readdirSync(cacheDir)) {
    const entry = path.join(cacheDir, name);
    try {
      if (name.startsWith('.')) continue; // an entry being written by another worker
      if (!name.endsWith(ENTRY_SUFFIX) || fs.statSync(entry).mtimeMs < oldest) fs.rmSync(entry, { force: true });
    } catch {
      // Another worker pruned it first.
    }
  }
}
