/**
 * Crash safety: a process killed with SIGKILL at any moment while it writes
 * cassettes leaves each file whole — the old version or the new one.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCassette } from '../../src/cassette/cassette-yaml';
import { writeCassetteFile } from '../../src/cassette/cassette-file';
import { REPO_ROOT } from '../support/packed-project';

// The writer runs the built package (npm test builds first), as a Jest worker would.
const WRITER = `
const { writeCassetteFile } = require(${JSON.stringify(path.join(REPO_ROOT, 'dist', 'cassette', 'cassette-file.js'))});
const dir = process.argv[1];
let generation = Number(process.argv[2]);
const big = 'x'.repeat(3000);
let announced = false;
for (;;) {
  generation++;
  for (let f = 0; f < 4; f++) {
    const interactions = [];
    for (let i = 0; i < 20; i++) {
      interactions.push({ index: i, kind: 'http', boundary: 'api.test', request: { method: 'POST', url: 'http://api.test/' + i, headers: {}, json: { generation, i } },
        response: { status_code: 200, headers: {}, text: big }, match_key: 'sha256:' + i, latency_ms: 1, usage: null, tags: [], metadata: {} });
    }
    writeCassetteFile(dir + '/cassette-' + f + '.yaml', { version: '1', created_at: 'now', run_id: String(generation), meta: { generation }, interactions });
  }
  // Announce once a first generation is complete, so each kill lands amid later writes.
  if (!announced) { announced = true; process.stdout.write('ready\\n'); }
}
`;

function runAndKill(dir: string, generation: number, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', WRITER, dir, String(generation)], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.on('error', reject);
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), delayMs));
    child.on('exit', () => resolve());
  });
}

test('SIGKILL at 100 random moments while writing never leaves a truncated cassette', async () => {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const generations = new Set<unknown>();
  let kills = 0;
  let filesChecked = 0;
  let leftovers = 0;
  // Four lanes in parallel, each its own folder, 25 kills each.
  const lane = async (laneIndex: number) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `agenttape-crash-${laneIndex}-`));
    for (let round = 0; round < 25; round++) {
      await runAndKill(dir, (laneIndex * 100 + round) * 1000, Math.floor(random() * 30));
      kills++;
      // Counted now: the next writer's first write of that cassette sweeps it.
      leftovers += fs.readdirSync(dir).filter((name) => name.endsWith('.tmp')).length;
      for (const name of fs.readdirSync(dir)) {
        if (!name.endsWith('.yaml')) continue;
        const text = fs.readFileSync(path.join(dir, name), 'utf8');
        const doc = parseCassette(text, name);
        expect(doc.interactions).toHaveLength(20);
        // One generation throughout: the whole old file or the whole new one, never a mix.
        expect(doc.interactions.map((i) => (i.request.json as { generation: number }).generation)).toEqual(Array(20).fill(doc.meta.generation));
        expect(text.endsWith('\n')).toBe(true);
        generations.add(doc.meta.generation);
        filesChecked++;
      }
    }
    // The next write of each cassette sweeps the temporary files its killed writers left.
    for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.yaml'))) writeCassetteFile(path.join(dir, name), parseCassette(fs.readFileSync(path.join(dir, name), 'utf8'), name));
    expect(fs.readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  await Promise.all([0, 1, 2, 3].map(lane));
  expect(kills).toBe(100);
  // Kills landed between and during real writes: many distinct generations were completed.
  expect(filesChecked).toBeGreaterThan(200);
  expect(generations.size).toBeGreaterThan(50);
  // Some kills landed mid-write (a temporary file was left), and none of those reached a cassette.
  expect(leftovers).toBeGreaterThan(0);
});
