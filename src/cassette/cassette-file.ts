/**
 * Reading and writing cassette files. Writes are atomic — a temporary file in
 * the same folder, flushed, then renamed over the target (`atomic-write.ts`) —
 * so a crash leaves either the old file or the new one, never half of one.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic-write';
import { formatOfFile, parseCassetteFile, serializeCassetteAs, validateCassette, type CassetteDocument } from './cassette-format';

/** YAML cassettes at least this large are worth caching in parsed form. */
const PARSE_CACHE_MIN_BYTES = 64 * 1024;

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
 * With `cacheDir`, a large YAML cassette is parsed once and kept there as JSON
 * under the SHA-256 of its text: YAML parsing costs ~40× JSON parsing (a 10 MB
 * cassette: ~2.9 s against ~60 ms), and it dominated cold start and peak memory.
 * The cache is keyed by content, so an edited cassette is parsed afresh; an
 * unreadable cache entry is ignored; the cassette itself is never written.
 *
 * @example
 * const doc = readCassetteFile('cassettes/a.test.ts/works.yaml', { cacheDir: parseCacheFolder(rootDir) });
 */
export function readCassetteFile(file: string, options: { cacheDir?: string } = {}): CassetteDocument | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (!options.cacheDir || text.length < PARSE_CACHE_MIN_BYTES || formatOfFile(file) === 'json') return parseCassetteFile(text, file);
  const cached = path.join(options.cacheDir, `${createHash('sha256').update(text).digest('hex')}.json`);
  try {
    return validateCassette(JSON.parse(fs.readFileSync(cached, 'utf8')), file);
  } catch {
    // No entry yet (or a damaged one): parse the YAML, which reports any real problem.
  }
  const doc = parseCassetteFile(text, file);
  try {
    writeFileAtomic(cached, JSON.stringify(doc), { durable: false });
  } catch {
    // A cache that cannot be written only costs time.
  }
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
  writeFileAtomic(file, serializeCassetteAs(doc, formatOfFile(file)));
}
