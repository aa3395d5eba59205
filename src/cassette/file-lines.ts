/**
 * Reading a file a chunk at a time, so a large cassette is never held whole
 * in memory while it is hashed or parsed.
 */
import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** How much of a file is read at a time. */
const READ_CHUNK_BYTES = 1024 * 1024;

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

/**
 * A UTF-8 file's lines (without their `\n`), optionally feeding its bytes to a hash.
 *
 * @example
 * for (const line of readLines('cassettes/big.yaml', hash)) lines += 1;
 */
export function* readLines(file: string, hash?: Hash): Generator<string> {
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
 * The SHA-256 of a file's bytes, in hex, read a chunk at a time.
 *
 * @example
 * hashFile('cassettes/a.test.ts/big.yaml'); // 'e3b0c442…'
 */
export function hashFile(file: string): string {
  const hash = createHash('sha256');
  for (const chunk of readChunks(file)) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * The SHA-256 of bytes already read, in hex: the same key {@link hashFile}
 * gives for a file holding them.
 *
 * @example
 * hashBytes(fs.readFileSync(file)) === hashFile(file); // true
 */
export function hashBytes(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
