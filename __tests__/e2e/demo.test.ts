/**
 * `npm run demo` — the README's main command — replays the example agent's
 * committed cassettes offline and writes nothing.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/packed-project';

const cassetteDir = path.join(REPO_ROOT, 'examples', 'weather-agent', 'cassettes');

function fingerprint(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of fs.readdirSync(cassetteDir, { recursive: true }) as string[]) {
    const full = path.join(cassetteDir, file);
    if (fs.statSync(full).isFile()) out[file] = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
  }
  return out;
}

test('the demo replays its committed cassettes offline and leaves them byte-identical', async () => {
  const before = fingerprint();
  expect(Object.keys(before).length).toBeGreaterThanOrEqual(3);
  const env: Record<string, string | undefined> = { ...process.env, FORCE_COLOR: '0' };
  delete env.OPENAI_API_KEY;
  delete env.AGENTTAPE_MODE;
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'run-demo.js'), '--ci'], { cwd: REPO_ROOT, env });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(output).toContain('Tests:       3 passed, 3 total');
  expect(status).toBe(0);
  expect(fingerprint()).toEqual(before);
});
