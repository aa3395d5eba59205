/**
 * Reading and writing cassette files. Writes are atomic — a temporary file in
 * the same folder, flushed, then renamed over the target — so a crash leaves
 * either the old file or the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatOfFile, parseCassetteFile, serializeCassetteAs, type CassetteDocument } from './cassette-format';

/**
 * Reads a cassette; null when the file does not exist. Throws
 * `CassetteCorruptError` or `SchemaVersionError` for a file it cannot read.
 *
 * @example
 * const doc = readCassetteFile('cassettes/a.test.ts/works.yaml');
 */
export function readCassetteFile(file: string): CassetteDocument | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return parseCassetteFile(text, file);
}

/**
 * Writes text to a file atomically, creating its folder.
 *
 * @example
 * writeFileAtomic('cassettes/a.yaml', 'version: "1"\n');
 */
export function writeFileAtomic(file: string, text: string): void {
  const folder = path.dirname(file);
  fs.mkdirSync(folder, { recursive: true });
  const temporary = path.join(folder, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(temporary, 'w');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
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
