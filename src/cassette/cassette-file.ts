/**
 * Reading and writing cassette files. Writes are atomic — a temporary file in
 * the same folder, flushed, then renamed over the target (`atomic-write.ts`) —
 * so a crash leaves either the old file or the new one, never half of one.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { writeFileAtomic } from './atomic-write';
import { parseCassetteJson, serializeCassetteJson } from './cassette-json';
import { formatOfFile } from './cassette-path';
import type { CassetteDocument } from './cassette-schema';
import { parseCassette, parseCassetteLines, serializeCassette } from './cassette-yaml';
import { hashBytes, hashFile, readLines } from './file-lines';
import { readCacheEntry, writeCacheEntry } from './parse-cache';
import { readLazily } from './yaml-lazy-read';

export { parseCacheFolder } from './parse-cache';

/**
 * YAML cassettes at least this large are read with their requests and
 * responses parsed on first read, or line by line, and kept in parsed form in
 * the project's cache.
 */
const LARGE_CASSETTE_BYTES = 64 * 1024;

/**
 * How a cassette is read: with `cacheDir` (replay), large YAML cassettes use
 * the parse cache there. A first read of one in the writers' layout hands the
 * cache entry's write to `deferCacheWrite`, to run off the way to the first
 * replayed response (`CassetteState` runs it when it saves a test file's
 * cassettes); without it, and for a cassette in another layout (parsed whole
 * anyway), the entry is written at once.
 *
 * @example
 * const pending: (() => void)[] = [];
 * readCassetteFile(file, { cacheDir: parseCacheFolder(rootDir), deferCacheWrite: (write) => pending.push(write) });
 */
export interface ReadOptions {
  cacheDir?: string;
  deferCacheWrite?: (write: () => void) => void;
}

/**
 * Reads a cassette; null when the file does not exist. Throws
 * `CassetteCorruptError` or `SchemaVersionError` for a file it cannot read.
 *
 * With `cacheDir` (replay), a large YAML cassette is read from its parsed
 * form kept there as JSON lines under the SHA-256 of its bytes (YAML parsing
 * costs about five times JSON parsing); else, in the layout the writers
 * produce, with each request and response parsed on first read
 * (yaml-lazy-read.ts, docs/format.md "Large cassettes"), its parsed form
 * written to the cache later ({@link ReadOptions}). The cache is keyed by content,
 * so an edited cassette is parsed afresh; an unreadable entry is ignored;
 * entries unused for 30 days are removed; the cassette itself is never written.
 * Otherwise a large cassette is read a chunk at a time and parsed one
 * interaction at a time, so the peak memory is about the parsed document, not
 * the text, the parser and the document together (a 96 MB cassette: ~290 MB
 * peak RSS parsed whole).
 *
 * @example
 * const doc = readCassetteFile('cassettes/a.test.ts/works.yaml', { cacheDir: parseCacheFolder(rootDir) });
 */
export function readCassetteFile(file: string, options: ReadOptions = {}): CassetteDocument | null {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (size < LARGE_CASSETTE_BYTES || formatOfFile(file) === 'json') return parseCassetteFile(fs.readFileSync(file, 'utf8'), file);
  const { cacheDir, deferCacheWrite = (write) => write() } = options;
  if (cacheDir) {
    // No cache folder at all (a fresh checkout, a CI machine): nothing to look up, nor to hash.
    const cached = fs.existsSync(cacheDir) ? readCacheEntry(cacheDir, hashFile(file), file) : undefined;
    if (cached) return cached;
    const bytes = fs.readFileSync(file);
    const read = readLazily(bytes, file);
    if (read) {
      // Written later, from the bytes read now (not from a document the run may change meanwhile), under their own hash.
      deferCacheWrite(() => {
        try {
          const again = readLazily(bytes, file);
          if (again) writeCacheEntry(cacheDir, hashBytes(bytes), again.doc, again.responseAt);
        } catch {
          // A response that cannot be read: no entry; the cassette is read afresh next time, and its error reported then.
        }
      });
      return read.doc;
    }
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
    key = hashBytes(bytes);
  }
  if (cacheDir) writeCacheEntry(cacheDir, key, doc);
  return doc;
}

/**
 * Serializes and writes a cassette atomically, as JSON when the file ends in
 * `.json`, else as YAML.
 *
 * @example
 * writeCassetteFile('cassettes/a.yaml', doc);
 */
export function writeCassetteFile(file: string, doc: CassetteDocument): void {
  writeFileAtomic(file, formatOfFile(file) === 'json' ? serializeCassetteJson(doc) : serializeCassette(doc));
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
