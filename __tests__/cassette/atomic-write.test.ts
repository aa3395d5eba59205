import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../../src/cassette/atomic-write';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-atomic-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('writes whole text or pieces, creating the folder, and leaves no temporary file', () => {
    writeFileAtomic(path.join(dir, 'sub', 'a.yaml'), ['version: "1"\n', 'interactions: []\n']);
    expect(fs.readFileSync(path.join(dir, 'sub', 'a.yaml'), 'utf8')).toBe('version: "1"\ninteractions: []\n');
    expect(fs.readdirSync(path.join(dir, 'sub'))).toEqual(['a.yaml']);
  });

  test("removes what killed writers of the same file left behind, never a live writer's file or another file's", () => {
    // A process id that no longer runs: a child that has exited.
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      const stale = `.a.yaml.${deadPid}.0badc0de.tmp`;
      const otherWorker = `.a.yaml.${live.pid}.1234abcd.tmp`;
      const otherFile = `.b.yaml.${deadPid}.0badc0de.tmp`;
      for (const name of [stale, otherWorker, otherFile]) fs.writeFileSync(path.join(dir, name), 'version: "1"\ninteractions:\n  - ind');
      writeFileAtomic(path.join(dir, 'a.yaml'), 'version: "1"\n');
      expect(fs.readdirSync(dir).sort()).toEqual([otherWorker, otherFile, 'a.yaml'].sort());
      // A cache write (durable: false) does not pay for the sweep.
      fs.writeFileSync(path.join(dir, stale), '');
      writeFileAtomic(path.join(dir, 'a.yaml'), 'version: "1"\n', { durable: false });
      expect(fs.existsSync(path.join(dir, stale))).toBe(true);
    } finally {
      live.kill();
    }
  });
});
