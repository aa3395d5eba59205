/**
 * Big suites: 200 test files recorded by 4 Jest workers at once (and by two
 * `--shard` halves) write every cassette whole and correct; 500 files replayed
 * in one worker keep the heap flat.
 */
import { parseCassette } from '../../src/cassette/cassette-yaml';
import { createFixture, type FixtureProject } from '../support/packed-project';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';

function testFile(i: number): string {
  return `
test('file ${i} asks twice', async () => {
  for (const turn of [1, 2]) {
    const res = await fetch(process.env.PROVIDER_URL + '/echo/${i}/' + turn, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ file: ${i}, turn }) });
    const body = await res.json();
    expect(JSON.parse(body.body)).toEqual({ file: ${i}, turn });
  }
});
`;
}

function checkCassettes(fixture: FixtureProject, count: number): void {
  const files = fixture.files('cassettes');
  expect(files).toHaveLength(count);
  for (const file of files) {
    const i = Number(/f(\d+)\.test\.js/.exec(file)![1]);
    const doc = parseCassette(fixture.read(`cassettes/${file}`), file);
    expect(doc.interactions.map((x) => x.request.json)).toEqual([
      { file: i, turn: 1 },
      { file: i, turn: 2 },
    ]);
  }
}

describe('big suites', () => {
  let provider: FakeProvider;
  beforeAll(async () => {
    provider = await startFakeProvider();
  });
  afterAll(() => provider.close());

  test('200 files recorded by 4 workers at once: every cassette whole and correct, then all replay', async () => {
    const fixture = createFixture('parallel');
    for (let i = 0; i < 200; i++) fixture.write(`f${i}.test.js`, testFile(i));
    const record = await fixture.run(['--maxWorkers=4'], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url }, { timeoutMs: 600_000 });
    expect(record.output).toContain('Tests:       200 passed, 200 total');
    checkCassettes(fixture, 200);
    const connections = provider.connections;
    const replay = await fixture.run(['--maxWorkers=4'], { PROVIDER_URL: provider.url }, { timeoutMs: 600_000 });
    expect(replay.output).toContain('Tests:       200 passed, 200 total');
    expect(provider.connections).toBe(connections);
    fixture.remove();
  });

  test('200 files recorded as two --shard halves, one after the other, write the whole set', async () => {
    const fixture = createFixture('shards');
    for (let i = 0; i < 200; i++) fixture.write(`f${i}.test.js`, testFile(i));
    const first = await fixture.run(['--shard=1/2', '--maxWorkers=2'], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url }, { timeoutMs: 600_000 });
    const second = await fixture.run(['--shard=2/2', '--maxWorkers=2'], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url }, { timeoutMs: 600_000 });
    expect(first.status).toBe(0);
    expect(second.status).toBe(0);
    expect(first.output).toContain('Tests:       100 passed, 100 total');
    expect(second.output).toContain('Tests:       100 passed, 100 total');
    checkCassettes(fixture, 200);
    fixture.remove();
  });

  test('500 files replayed in one worker: heap stays flat', async () => {
    const fixture = createFixture('long-suite');
    for (let i = 0; i < 500; i++) fixture.write(`f${i}.test.js`, testFile(i % 50));
    const record = await fixture.run(['--maxWorkers=2'], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url }, { timeoutMs: 600_000 });
    expect(record.output).toContain('Tests:       500 passed, 500 total');
    // With gc exposed, Jest collects garbage before it reads each file's heap, so the
    // figure is what stays alive; without it the reading is whenever V8 last collected.
    const replay = await fixture.run(['--runInBand', '--logHeapUsage'], { PROVIDER_URL: provider.url, NODE_OPTIONS: '--expose-gc' }, { timeoutMs: 600_000 });
    expect(replay.output).toContain('Tests:       500 passed, 500 total');
    const heaps = [...replay.output.matchAll(/\((\d+) MB heap size\)/g)].map((m) => Number(m[1]));
    expect(heaps.length).toBe(500);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const early = median(heaps.slice(50, 100));
    const late = median(heaps.slice(450, 500));
    // Stated bound: less than 40 MB of growth across 400 files (nock users report ~30 MB per file).
    expect(late - early).toBeLessThan(40);
    fixture.remove();
  });
});
