/**
 * Reading and writing cassette files. Writes are atomic — a temporary file in
 * the same folder, flushed, then renamed over the target (`atomic-write.ts`) —
 * so a crash leaves either the old file or the new one, never half of one.
 */
import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { CassetteCorruptError } from '../errors';
import { writeFileAtomic } from './atomic-write';
import { formatOfFile, parseCassette, parseCassetteFile, parseCassetteLines, serializeCassetteAs, validateCassette, type CassetteDocument, type Interaction, type Json } from './cassette-format';

/**
 * YAML cassettes at least this large are read line by line (never held whole)
 * and kept in parsed form in the project's cache.
 */
const LARGE_CASSETTE_BYTES = 64 * 1024;

/** How much of a file is read at a time. */
const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * Where a project keeps parsed forms of its large YAML cassettes.
 *
 * @example
 * parseCacheFolder('/my/project'); // '/my/project/node_modules/.cache/agenttape/parsed'
 */
export function parseCacheFolder(rootDir: string): string {
  return path.join(rootDir, 'node_modules', '.cache', 'agenttape', 'parsed');
}

/**
 * Reads a cassette; null when the file does not exist. Throws
 * `CassetteCorruptError` or `SchemaVersionError` for a file it cannot read.
 *
 * A large YAML cassette is read a chunk at a time and parsed one interaction
 * at a time, so the peak memory is about the parsed document, not the text,
 * the parser and the document together (a 96 MB cassette: ~290 MB peak RSS
 * parsed whole). With `cacheDir` its parsed form is kept there as JSON lines
 * under the SHA-256 of its bytes: YAML parsing costs about five times JSON
 * parsing, and it dominated cold start. The cache is keyed by content, so an
 * edited cassette is parsed afresh; an unreadable entry is ignored; entries
 * unused for 30 days are removed; the cassette itself is never written.
 *
 * @example
 * const doc = readCassetteFile('cassettes/a.test.ts/works.yaml', { cacheDir: parseCacheFolder(rootDir) });
 */
export function readCassetteFile(file: string, options: { cacheDir?: string } = {}): CassetteDocument | null {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (size < LARGE_CASSETTE_BYTES || formatOfFile(file) === 'json') return parseCassetteFile(fs.readFileSync(file, 'utf8'), file);
  const cached = options.cacheDir && path.join(options.cacheDir, `${hashFile(file)}.jsonl`);
  const fromCache = cached ? readCacheEntry(cached, file) : undefined;
  if (fromCache) {
    markUsed(cached!);
    return fromCache;
  }
  // Hashed again while parsing: the entry must describe the bytes that were parsed.
  const hash = createHash('sha256');
  let doc = parseCassetteLines(readLines(file, hash), file);
  let key: string;
  if (doc) {
    key = hash.digest('hex');
  } else {
    // A layout the line reader does not vouch for: the whole text, as any small cassette.
    const bytes = fs.readFileSync(file);
    doc = parseCassette(bytes.toString('utf8'), file);
    key = createHash('sha256').update(bytes).digest('hex');
  }
  if (options.cacheDir) {
    try {
      writeFileAtomic(path.join(options.cacheDir, `${key}.jsonl`), cacheEntryLines(doc), { durable: false });
      pruneCache(options.cacheDir);
    } catch {
      // A cache that cannot be written only costs time.
    }
  }
  return doc;
}

/** Cache entries unused for this long are removed (when a new entry is written). */
const CACHE_ENTRY_MAX_IDLE_MS = 30 * 24 * 60 * 60 * 1000;

/** Dates an entry's last use in its modification time, which pruning reads. */
function markUsed(entry: string): void {
  try {
    const now = new Date();
    fs.utimesSync(entry, now, now);
  } catch {
    // A read-only cache is still a cache.
  }
}

/**
 * Removes entries unused for 30 days, and files of earlier cache layouts, so
 * the cache does not grow with every version of every large cassette.
 */
function pruneCache(cacheDir: string): void {
  const oldest = Date.now() - CACHE_ENTRY_MAX_IDLE_MS;
  for (const name of fs.readdirSync(cacheDir)) {
    const entry = path.join(cacheDir, name);
    try {
      if (name.startsWith('.')) continue; // an entry being written by another worker
      if (!name.endsWith('.jsonl') || fs.statSync(entry).mtimeMs < oldest) fs.rmSync(entry, { force: true });
    } catch {
      // Another worker pruned it first.
    }
  }
}

/** The SHA-256 of a file's bytes, read a chunk at a time. */
function hashFile(file: string): string {
  const hash = createHash('sha256');
  for (const chunk of readChunks(file)) hash.update(chunk);
  return hash.digest('hex');
}

/** A file's bytes, a chunk at a time (each chunk is only valid until the next is read). */
function* readChunks(file: string): Generator<Buffer> {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    for (;;) {
      const read = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) return;
      yield buffer.subarray(0, read);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** A UTF-8 file's lines (without their `\n`), optionally feeding its bytes to a hash. */
function* readLines(file: string, hash?: Hash): Generator<string> {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  for (const chunk of readChunks(file)) {
    hash?.update(chunk);
    const lines = (partial + decoder.write(chunk)).split('\n');
    partial = lines.pop()!;
    yield* lines;
  }
  const last = partial + decoder.end();
  if (last !== '') yield last;
}

/**
 * A cache entry: the root fields on the first line, then one interaction per
 * line — with its response after a tab, so it can be left unparsed until it
 * is replayed (JSON text never holds a raw tab).
 */
function* cacheEntryLines(doc: CassetteDocument): Generator<string> {
  const { interactions, ...root } = doc;
  yield `${JSON.stringify(root)}\n`;
  for (const interaction of interactions) {
    if (interaction.error !== undefined || interaction.response === undefined) {
      yield `${JSON.stringify(interaction)}\n`;
      continue;
    }
    const { response, ...rest } = interaction;
    yield `${JSON.stringify(rest)}\t${JSON.stringify(response)}\n`;
  }
}

function readCacheEntry(entry: string, file: string): CassetteDocument | undefined {
  let doc: CassetteDocument;
  const responses: (string | undefined)[] = [];
  try {
    let root: Record<string, unknown> | undefined;
    const interactions: unknown[] = [];
    for (const line of readLines(entry)) {
      if (line === '') continue;
      if (root === undefined) {
        root = JSON.parse(line) as Record<string, unknown>;
        continue;
      }
      const tab = line.indexOf('\t');
      if (tab === -1) {
        interactions.push(JSON.parse(line));
        responses.push(undefined);
      } else {
        // Present but not parsed yet: validation sees a response, and skips its shape (checked when the entry was written).
        interactions.push({ ...(JSON.parse(line.slice(0, tab)) as object), response: undefined });
        responses.push(line.slice(tab + 1));
      }
    }
    if (!root) return undefined;
    doc = validateCassette({ ...root, interactions }, file);
  } catch {
    // No entry yet (or a damaged one): the cassette is parsed, which reports any real problem.
    return undefined;
  }
  doc.interactions.forEach((interaction, i) => {
    const text = responses[i];
    if (text !== undefined) defineLazyResponse(interaction, text, entry, file);
  });
  return doc;
}

/**
 * Makes `interaction.response` parse its JSON text on first read. A test
 * replays a few of a large cassette's responses; parsing only those keeps
 * loading cheap and leaves no object graph of every stream's events for the
 * garbage collector to move (a 500-event SSE response is ~3,500 objects).
 */
function defineLazyResponse(interaction: Interaction, text: string, entry: string, file: string): void {
  const settle = (target: Interaction, value: Json) => {
    Object.defineProperty(target, 'response', { value, writable: true, enumerable: true, configurable: true });
  };
  Object.defineProperty(interaction, 'response', {
    enumerable: true,
    configurable: true,
    get(this: Interaction): Json {
      let value: Json;
      try {
        value = JSON.parse(text) as Json;
      } catch (error) {
        throw new CassetteCorruptError(
          `The parsed copy of cassette ${file} in ${entry} is damaged (interaction ${interaction.index}: ${(error as Error).message}).\n` +
            'Delete that file (a cache: the cassette is parsed again), then run the tests again.',
        );
      }
      settle(this, value);
      return value;
    },
    set(this: Interaction, value: Json) {
      settle(this, value);
    },
  });
}

/**
 * Serializes and writes a cassette atomically, as JSON when the file ends in
 * `.json`, else as YAML.
 *
 * @example
 * writeCassetteFile('cassettes/a.yaml', doc);
 */
export function writeCassetteFile(file: string, doc: CassetteDocument): void {
  writeFileAtomic(file, serializeCassetteAs(doc, formatOfFile(file)));
}
