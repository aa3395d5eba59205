/**
 * --watch re-runs: a second run in the same Jest process replays again from
 * the same cassettes, with interception re-applied per file.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createFixture } from '../support/packed-project';
import { startFakeProvider } from '../support/fake-provider';

const JEST_BIN = path.join(__dirname, '..', '..', 'node_modules', 'jest', 'bin', 'jest.js');

test('--watchAll: the re-run after a file change replays from the cassette again', async () => {
  const provider = await startFakeProvider();
  const fixture = createFixture('watch');
  const body = (n: number) => `
test('asks', async () => {
  const res = await fetch(process.env.PROVIDER_URL + '/echo/watch');
  expect((await res.json()).path).toBe('/echo/watch'); // edit ${n}
});
`;
  fixture.write('watch.test.js', body(1));
  const record = await fixture.run([], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url });
  expect(record.output).toContain('Tests:       1 passed, 1 total');
  const connections = provider.connections;
  const env: Record<string, string | undefined> = { ...process.env, PROVIDER_URL: provider.url, FORCE_COLOR: '0' };
  delete env.CI;
  delete env.AGENTTAPE_MODE;
  const child = spawn(process.execPath, [JEST_BIN, '--watchAll', '--ci=false', '--colors=false'], { cwd: fixture.dir, env });
  let output = '';
  const passes = () => (output.match(/Tests:\s+1 passed, 1 total/g) ?? []).length;
  const waitFor = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for run ${n}:\n${output}`)), 60_000);
      const check = () => {
        if (passes() >= n) {
          clearTimeout(timer);
          resolve();
        } else setTimeout(check, 100);
      };
      check();
    });
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  try {
    await waitFor(1);
    fs.writeFileSync(path.join(fixture.dir, 'watch.test.js'), body(2));
    await waitFor(2);
  } finally {
    child.kill('SIGKILL');
    await provider.close();
  }
  expect(output).not.toContain('UnmatchedInteractionError');
  expect(provider.connections).toBe(connections);
  fixture.remove();
});
