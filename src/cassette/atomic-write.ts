/**
 * Atomic file writes: a temporary file in the same folder, then a rename over
 * the target, so a reader or a crash sees the old file or the new one, never
 * half of one. Kept apart from the cassette format so that writers of plain
 * JSON (usage records, the parse cache) do not load js-yaml.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Writes text (whole, or in pieces) to a file atomically, creating its folder. The text is flushed
 * to disk before the rename unless `durable` is false: a cache that any reader
 * validates and can rebuild (usage records, parsed cassettes) does not need to
 * survive a power cut, and skipping the flush saves a disk round trip per file.
 *
 * @example
 * writeFileAtomic('cassettes/a.yaml', 'version: "1"\n');
 * writeFileAtomic('node_modules/.cache/agenttape/usage/1a2b.json', '{}\n', { durable: false });
 */
export function writeFileAtomic(file: string, content: string | Iterable<string>, options: { durable?: boolean } = {}): void {
  const folder = path.dirname(file);
  fs.mkdirSync(folder, { recursive: true });
  const temporary = path.join(folder, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(temporary, 'w');
  try {
    try {
      // Pieces may be computed as they are written, and fail: the temporary file goes then too.
      for (const piece of typeof content === 'string' ? [content] : content) fs.writeSync(fd, piece);
      if (options.durable !== false) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  if (options.durable !== false) removeStaleTemporaries(folder, path.basename(file));
}

/** True while a process with this id runs (a process we may not signal still runs). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files that writers of `name` killed mid-write left
 * beside it (they would otherwise sit in the cassette folder and in
 * `git status` for ever). A file whose writer still runs, in another Jest
 * worker, is left alone.
 */
function removeStaleTemporaries(folder: string, name: string): void {
  const prefix = `.${name}.`;
  for (const entry of fs.readdirSync(folder)) {
    if (!entry.startsWith(prefix) || !entry.endsWith('.tmp')) continue;
    const pid = Number(entry.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !isRunning(pid)) fs.rmSync(path.join(folder, entry), { force: true });
  }
}
