/**
 * `cassette.use()` under `useCassette`: the same per-test options as in a
 * Jest test (mode, live, matchers), because both hosts build one
 * `CassetteSession`. Real requests through the global fetch and node:http to
 * a server on 127.0.0.1.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCassette } from '../../src/cassette/cassette-yaml';
import { UnmatchedInteractionError } from '../../src/errors';
import { cassette } from '../../src/session/cassette-handle';
import { useCassette } from '../../src/use-cassette';

// useCassette applies the CI rule from the CI variable; these tests record, as on a developer's machine.
const ciBefore = process.env.CI;
const modeBefore = process.env.AGENTTAPE_MODE;
beforeEach(() => {
  delete process.env.CI;
  delete process.env.AGENTTAPE_MODE;
});
afterAll(() => {
  if (ciBefore !== undefined) process.env.CI = ciBefore;
  if (modeBefore !== undefined) process.env.AGENTTAPE_MODE = modeBefore;
});

let server: http.Server;
let origin: string;
let hits = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      hits++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ hit: hits, echo: body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-use-options-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const options = () => ({ rootDir: dir, cassetteDir: '.' });
const ask = async (question: string) => (await (await fetch(`${origin}/ask`, { method: 'POST', body: question })).json()) as { hit: number; echo: string };

test('the handle is active inside useCassette and names its cassette', async () => {
  expect(cassette.active).toBe(false);
  await useCassette('handle/look', options(), () => {
    expect(cassette.active).toBe(true);
    expect(cassette.path).toBe(path.join(dir, 'handle', 'look.yaml'));
    expect(cassette.mode).toBe('none');
  });
  expect(cassette.active).toBe(false);
});

test('cassette.use({ mode }) inside the function records, and the next run replays without the server', async () => {
  const before = hits;
  const recorded = await useCassette('mode', options(), async () => {
    cassette.use({ mode: 'record' });
    expect(cassette.mode).toBe('record');
    return ask('weather in London?');
  });
  expect(hits).toBe(before + 1);
  const file = path.join(dir, 'mode.yaml');
  const written = parseCassette(fs.readFileSync(file, 'utf8'), file);
  expect(written.meta.mode).toBe('record');
  expect(written.interactions.map((i) => i.request.url)).toEqual([`${origin}/ask`]);

  const replayed = await useCassette('mode', options(), () => ask('weather in London?'));
  expect(replayed).toEqual(recorded);
  expect(hits).toBe(before + 1);
});

test("cassette.use({}) inside the function returns to the mode of useCassette's options, not past it", async () => {
  await useCassette('reset', { ...options(), mode: 'record' }, async () => {
    cassette.use({ mode: 'none' });
    expect(cassette.mode).toBe('none');
    cassette.use({});
    expect(cassette.mode).toBe('record');
    return ask('reset?');
  });
  const file = path.join(dir, 'reset.yaml');
  expect(parseCassette(fs.readFileSync(file, 'utf8'), file).meta.mode).toBe('record');
});

test('cassette.use({ live }) runs one boundary for real in replay and writes the run beside the cassette', async () => {
  await useCassette('live', { ...options(), mode: 'record' }, () => ask('first'));
  const file = path.join(dir, 'live.yaml');
  const original = fs.readFileSync(file, 'utf8');
  const before = hits;
  const boundary = new URL(origin).host;
  const answer = await useCassette('live', options(), async () => {
    cassette.use({ live: [boundary] });
    return ask('a question never recorded');
  });
  expect(answer.echo).toBe('a question never recorded');
  expect(hits).toBe(before + 1);
  expect(fs.readFileSync(file, 'utf8')).toBe(original);
  const derived = parseCassette(fs.readFileSync(path.join(dir, 'live.derived.yaml'), 'utf8'), 'live.derived.yaml');
  expect(derived.meta.live).toEqual([boundary]);
  expect(derived.interactions.map((i) => i.request.text ?? i.request.body)).toEqual(['a question never recorded']);
});

test('cassette.use({ matchers }) changes how this run matches: ordered serves a changed body, the default refuses it', async () => {
  await useCassette('matchers', { ...options(), mode: 'record' }, () => ask('recorded question'));
  const before = hits;
  await expect(useCassette('matchers', options(), () => ask('changed question'))).rejects.toThrow(UnmatchedInteractionError);
  const answer = await useCassette('matchers', options(), async () => {
    cassette.use({ matchers: ['ordered'] });
    return ask('changed question');
  });
  expect(answer.echo).toBe('recorded question');
  expect(hits).toBe(before);
});

test('cassette.use({ matchers }) after the first request is refused, as in Jest', async () => {
  await useCassette('late-matchers', { ...options(), mode: 'record' }, () => ask('q'));
  await expect(
    useCassette('late-matchers', options(), async () => {
      await ask('q');
      cassette.use({ matchers: ['ordered'] });
    }),
  ).rejects.toThrow(/"matchers" in cassette.use\(\) came after this test's first request/);
});
