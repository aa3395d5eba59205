/**
 * Jest features that change the lifecycle: test.concurrent, retries,
 * skip/only/-t filtering, and fake timers.
 */
import { parseCassette } from '../../src/cassette/cassette-yaml';
import { createFixture } from '../support/packed-project';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';

describe('Jest lifecycle features', () => {
  let provider: FakeProvider;
  beforeAll(async () => {
    provider = await startFakeProvider();
  });
  afterAll(() => provider.close());

  test('test.concurrent: each concurrent test records into and replays from its own cassette', async () => {
    const fixture = createFixture('concurrent');
    fixture.write(
      'concurrent.test.js',
      `
const ask = async (who, delay) => {
  await new Promise((r) => setTimeout(r, delay));
  const res = await fetch(process.env.PROVIDER_URL + '/echo/' + who, { method: 'POST', body: who });
  return (await res.json()).body;
};
// Interleaved on purpose: later tests finish first.
test.concurrent('alpha', async () => { expect(await ask('alpha', 60)).toBe('alpha'); expect(await ask('alpha-2', 5)).toBe('alpha-2'); });
test.concurrent('beta', async () => { expect(await ask('beta', 30)).toBe('beta'); });
test.concurrent('gamma', async () => { expect(await ask('gamma', 1)).toBe('gamma'); });
test('sequential after them', async () => { expect(await ask('delta', 1)).toBe('delta'); });
`,
    );
    const record = await fixture.run([], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url });
    expect(record.output).toContain('Tests:       4 passed, 4 total');
    const bodies = (name: string) => parseCassette(fixture.read(`cassettes/concurrent.test.js/${name}.yaml`), name).interactions.map((i) => i.request.text);
    expect(bodies('alpha')).toEqual(['alpha', 'alpha-2']);
    expect(bodies('beta')).toEqual(['beta']);
    expect(bodies('gamma')).toEqual(['gamma']);
    expect(bodies('sequential after them')).toEqual(['delta']);
    expect(fixture.exists('cassettes/concurrent.test.js/__file__.yaml')).toBe(false);
    const connections = provider.connections;
    const replay = await fixture.run([], { PROVIDER_URL: provider.url });
    expect(replay.output).toContain('Tests:       4 passed, 4 total');
    expect(provider.connections).toBe(connections);
    fixture.remove();
  });

  test('jest.retryTimes: a retried test starts again from the same cassette state', async () => {
    const fixture = createFixture('retry');
    fixture.write(
      'retry.test.js',
      `
jest.retryTimes(2);
let attempt = 0;
test('flaky agent', async () => {
  attempt++;
  const res = await fetch(process.env.PROVIDER_URL + '/echo/once', { method: 'POST', body: 'q' });
  expect((await res.json()).body).toBe('q');
  if (attempt < 2) throw new Error('flaky failure on attempt ' + attempt);
});
`,
    );
    const record = await fixture.run([], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url });
    expect(record.output).toContain('Tests:       1 passed, 1 total');
    // The file holds the last attempt only: one interaction, not one per attempt.
    expect(parseCassette(fixture.read('cassettes/retry.test.js/flaky agent.yaml'), 'x').interactions).toHaveLength(1);
    const replay = await fixture.run([], { PROVIDER_URL: provider.url });
    // Attempt 2 replays the same single recording: it was not used up by attempt 1.
    expect(replay.output).toContain('Tests:       1 passed, 1 total');
    fixture.remove();
  });

  test('skip, only and -t: no cassette of a test that did not run is removed or rewritten', async () => {
    const fixture = createFixture('filtering');
    const file = (skipSecond: boolean) => `
const ask = async (q) => (await (await fetch(process.env.PROVIDER_URL + '/echo/' + q)).json()).path;
test('first', async () => { expect(await ask('first')).toBe('/echo/first'); });
test${skipSecond ? '.skip' : ''}('second', async () => { expect(await ask('second')).toBe('/echo/second'); });
`;
    fixture.write('filter.test.js', file(false));
    await fixture.run([], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url });
    const second = fixture.read('cassettes/filter.test.js/second.yaml');
    const first = fixture.read('cassettes/filter.test.js/first.yaml');
    const filtered = await fixture.run(['-t', 'first'], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url });
    expect(filtered.output).toContain('1 skipped');
    expect(fixture.read('cassettes/filter.test.js/second.yaml')).toBe(second);
    fixture.write('filter.test.js', file(true));
    await fixture.run([], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url });
    expect(fixture.read('cassettes/filter.test.js/second.yaml')).toBe(second);
    const rerecorded = fixture.read('cassettes/filter.test.js/first.yaml');
    expect(rerecorded).not.toBe(first); // the test that ran was re-recorded
    // test.only: the test it leaves out keeps its cassette, and the run summary does not call it obsolete.
    fixture.write('filter.test.js', file(false).replace("test('second'", "test.only('second'"));
    const only = await fixture.run([], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url });
    expect(only.output).toContain('Tests:       1 skipped, 1 passed, 2 total');
    expect(fixture.read('cassettes/filter.test.js/first.yaml')).toBe(rerecorded);
    expect(fixture.read('cassettes/filter.test.js/second.yaml')).not.toBe(second);
    expect(only.output).not.toContain('obsolete');
    fixture.remove();
  });

  test('jest.useFakeTimers(): replay still answers', async () => {
    const fixture = createFixture('fake-timers');
    fixture.write(
      'timers.test.js',
      `
test('agent under fake timers', async () => {
  jest.useFakeTimers();
  const res = await fetch(process.env.PROVIDER_URL + '/echo/timers');
  expect((await res.json()).path).toBe('/echo/timers');
  jest.useRealTimers();
});
`,
    );
    const record = await fixture.run([], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url });
    expect(record.output).toContain('Tests:       1 passed, 1 total');
    const replay = await fixture.run([], { PROVIDER_URL: provider.url });
    expect(replay.output).toContain('Tests:       1 passed, 1 total');
    fixture.remove();
  });
});

test('interceptors and patches are restored after each file: a plain node test file run after AgentTape files in the same worker reaches the network', async () => {
  const provider = await startFakeProvider();
  const fixture = createFixture('restored', { testSequencer: './by-name-sequencer.js' });
  try {
    // Alphabetical order in one worker, so the plain file runs after every AgentTape file.
    fixture.write(
      'by-name-sequencer.js',
      `const Sequencer = require('@jest/test-sequencer').default;
module.exports = class ByName extends Sequencer { sort(tests) { return [...tests].sort((a, b) => a.path.localeCompare(b.path)); } };
`,
    );
    for (const name of ['a', 'b', 'c']) {
      fixture.write(`${name}.test.js`, `test('${name}', async () => { expect((await (await fetch(process.env.PROVIDER_URL + '/echo/${name}')).json()).path).toBe('/echo/${name}'); });\n`);
    }
    fixture.write(
      'z-plain.test.js',
      `/** @jest-environment node */
const http = require('node:http');
const undici = require('undici');
test('the network is real again, as without AgentTape', async () => {
  expect(globalThis[Symbol.for('undici.globalDispatcher.1')]?.constructor.name).not.toBe('InterceptingDispatcher');
  expect(Date.now()).toBeGreaterThan(Date.parse('2020-01-01'));
  expect((await (await fetch(process.env.PROVIDER_URL + '/echo/plain-fetch')).json()).path).toBe('/echo/plain-fetch');
  const status = await new Promise((resolve, reject) => http.get(process.env.PROVIDER_URL + '/echo/plain-http', (res) => { res.resume(); resolve(res.statusCode); }).on('error', reject));
  expect(status).toBe(200);
  expect((await undici.request(process.env.PROVIDER_URL + '/echo/plain-undici')).statusCode).toBe(200);
});
`,
    );
    const record = await fixture.run(['--runInBand', '--testPathPatterns', '[abc]\\.test'], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url });
    expect(record.output).toContain('Tests:       3 passed, 3 total');
    const before = provider.requests.length;
    const replay = await fixture.run(['--runInBand'], { PROVIDER_URL: provider.url });
    expect(replay.output).toContain('Tests:       4 passed, 4 total');
    // The AgentTape files replayed; only the plain file's three requests reached the server.
    expect(provider.requests.slice(before).map((r) => r.url)).toEqual(['/echo/plain-fetch', '/echo/plain-http', '/echo/plain-undici']);
    expect(replay.output.indexOf('z-plain.test.js')).toBeGreaterThan(replay.output.indexOf('c.test.js'));
  } finally {
    await provider.close();
    fixture.remove();
  }
});
