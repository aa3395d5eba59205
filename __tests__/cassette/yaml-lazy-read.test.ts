/**
 * The first read of a large YAML cassette, with requests and responses parsed
 * on first read: for every layout it cuts it must give exactly what parsing
 * the whole text gives, leave any other layout to the eager readers
 * (undefined), and report a damaged field on its first read with the error a
 * full read gives.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCassetteFile } from '../../src/cassette/cassette-file';
import type { CassetteDocument } from '../../src/cassette/cassette-schema';
import { parseCassette, serializeCassette } from '../../src/cassette/cassette-yaml';
import { readLazily } from '../../src/cassette/yaml-lazy-read';
import { CassetteCorruptError } from '../../src/errors';
import type { Json } from '../../src/json';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'python-agenttape');
const EXAMPLE_CASSETTES = path.join(__dirname, '..', '..', 'examples', 'weather-agent', 'cassettes');

function doc(interactions: number): CassetteDocument {
  return {
    version: '1',
    created_at: '2026-11-25T00:00:00.000Z',
    run_id: 'r',
    meta: { test_name: 'lazy', tags: ['a'] },
    interactions: Array.from({ length: interactions }, (_, index) => ({
      index,
      kind: 'http' as const,
      boundary: 'api.test',
      request: { method: 'POST', url: `http://api.test/${index}`, headers: { 'content-type': 'application/json' }, json: { q: index, text: '- not an item\n  - nor this\n#nor a comment' } },
      response: {
        status_code: 200,
        headers: {},
        // Leading spaces: a block scalar with an indentation indicator, read relative to its key.
        json: { text: `line one\n\n- dash at the start\ninteractions:\n  indented ${index}\n`, lead: '   three spaces first\nthen none', items: [{ a: 1 }, { b: [2, 3] }] as Json[] },
      },
      match_key: '',
      latency_ms: 1,
      usage: null,
      tags: [],
      metadata: {},
    })),
  };
}

/** Reads `text` lazily and checks it against the whole-text parse, fields still unparsed at first. */
function expectSameAsWhole(text: string, file = 'a.yaml'): CassetteDocument {
  const read = readLazily(Buffer.from(text), file);
  expect(read).toBeDefined();
  const cut = read!.doc.interactions.filter((x) => Object.getOwnPropertyDescriptor(x, 'response')?.get !== undefined);
  const whole = parseCassette(text, file);
  expect(whole.interactions.map((_, i) => read!.responseAt(i))).toEqual(whole.interactions.map((x) => x.response));
  expect(read!.doc).toEqual(whole);
  return Object.assign(read!.doc, { cut: cut.length });
}

describe('readLazily', () => {
  test.each([1, 3, 40])('what serializeCassette writes (%i interactions) reads as the whole text does, each field parsed on first read', (count) => {
    const text = serializeCassette(doc(count));
    const read = readLazily(Buffer.from(text), 'a.yaml')!;
    for (const interaction of read.doc.interactions) {
      for (const key of ['request', 'response']) expect(Object.getOwnPropertyDescriptor(interaction, key)).toHaveProperty('get', expect.any(Function));
    }
    expect(expectSameAsWhole(text)).toHaveProperty('cut', count);
  });

  test('the Python AgentTape layout (items at column 0, lists at their key, flow mappings) and the example cassettes read as the whole text does', () => {
    const files = [...fs.readdirSync(FIXTURES).map((name) => path.join(FIXTURES, name)), ...(fs.readdirSync(EXAMPLE_CASSETTES, { recursive: true }) as string[]).map((name) => path.join(EXAMPLE_CASSETTES, name))].filter(
      (f) => f.endsWith('.yaml'),
    );
    expect(files.length).toBeGreaterThan(2);
    let cutFiles = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      if (readLazily(Buffer.from(text), file) === undefined) continue;
      cutFiles++;
      expectSameAsWhole(text, file);
    }
    expect(cutFiles).toBeGreaterThan(1);
  });

  test('lists at their key, comments at any column, errors, and root keys after the list', () => {
    const text = [
      'version: "1"',
      'interactions:',
      '# a comment at column 0',
      '- index: 0',
      '  kind: tool',
      '  boundary: search',
      '  request:',
      '    name: search',
      '# a comment inside a request',
      '    args: [1]',
      '  response:',
      '  - a',
      '  -   b: 1',
      '  - |2-',
      '       indented text',
      '      less',
      '  tags: []',
      '- index: 1',
      '  kind: tool',
      '  boundary: search',
      '  request: {name: search}',
      '  error: {type: Boom, message: failed}',
      '  response: "ignored when there is an error',
      '    on two lines"',
      'meta:',
      '  test_name: after the list',
      '',
    ].join('\n');
    const read = expectSameAsWhole(text);
    expect((read.interactions[0].response as Json[]).slice(0, 2)).toEqual(['a', { b: 1 }]);
    expect(read.interactions[1]).not.toHaveProperty('response');
    expect(read.meta).toEqual({ test_name: 'after the list' });
  });

  test.each([
    ['CRLF line ends', serializeCassette(doc(2)).replace(/\n/g, '\r\n')],
    ['an anchor outside the cut fields', serializeCassette(doc(2)).replace('interactions:\n  - index: 0', 'interactions:\n  - &first\n    index: 0')],
    ['an invalid field outside the cut fields', serializeCassette(doc(2)).replace('kind: http', 'kind: teleport')],
    ['items at an odd indentation', 'version: "1"\ninteractions:\n   - kind: tool\n     request: {}\n     response: 1\n'],
    ['a flow list', 'version: "1"\ninteractions: [{kind: tool, request: {}, response: 1}]\n'],
    ['a duplicate response key', 'version: "1"\ninteractions:\n  - kind: tool\n    boundary: b\n    request: {}\n    response: 1\n    response: 2\n'],
    ['a request that names the boundary', 'version: "1"\ninteractions:\n  - kind: tool\n    request: {name: search}\n    response: 1\n'],
    ['a key between item and key indentation', 'version: "1"\ninteractions:\n  - kind: tool\n   boundary: b\n    request: {}\n    response: 1\n'],
  ])('%s is left to the eager readers', (_name, text) => {
    expect(readLazily(Buffer.from(text), 'a.yaml')).toBeUndefined();
  });

  test('an item whose first key is its request keeps that request uncut', () => {
    const text = 'version: "1"\ninteractions:\n- request:\n    name: search\n  kind: tool\n  boundary: search\n  response:\n    found: 1\n';
    expect(expectSameAsWhole(text)).toHaveProperty('cut', 1);
  });

  test('an anchor inside a cut field is read as a full read reads it', () => {
    const text = serializeCassette(doc(2)).replace('    response:\n      status_code: 200', '    response:\n      status_code: &code 200\n      again: *code');
    expectSameAsWhole(text);
  });

  test.each([
    ['a syntax error in a response', (t: string) => t.replace('    response:\n      status_code: 200', '    response:\n      status_code: [200')],
    ['a response of the wrong shape', (t: string) => t.replace('    response:\n      status_code: 200', '    response:\n      status_code: "x"')],
    ['a request of the wrong shape', (t: string) => t.replace('      method: POST', '      method: [POST]')],
  ])('%s throws on first read the error a full read gives, with its line', (_name, damage) => {
    const text = damage(serializeCassette(doc(3)));
    expect(text).not.toBe(serializeCassette(doc(3)));
    let expected: unknown;
    try {
      parseCassette(text, 'a.yaml');
    } catch (error) {
      expected = error;
    }
    expect(expected).toBeInstanceOf(CassetteCorruptError);
    const read = readLazily(Buffer.from(text), 'a.yaml')!;
    expect(read.doc.interactions).toHaveLength(3);
    expect(read.doc.interactions[2].response).toEqual(parseCassette(serializeCassette(doc(3)), 'a.yaml').interactions[2].response);
    expect(() => [read.doc.interactions[0].request, read.doc.interactions[0].response]).toThrow((expected as Error).message);
  });
});

describe('readCassetteFile with a parse cache, on a first read', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-lazy-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the parse cache is written when the held-back write runs, and reads back the same document', () => {
    const file = path.join(dir, 'big.yaml');
    const text = serializeCassette(doc(100));
    fs.writeFileSync(file, text);
    const cacheDir = path.join(dir, 'cache');
    const pending: (() => void)[] = [];
    const first = readCassetteFile(file, { cacheDir, deferCacheWrite: (write) => pending.push(write) })!;
    expect(pending).toHaveLength(1);
    expect(Object.getOwnPropertyDescriptor(first.interactions[0], 'response')).toHaveProperty('get', expect.any(Function));
    expect(fs.existsSync(cacheDir)).toBe(false); // not on the way to the first response
    (first.interactions[0].request as { changed?: boolean }).changed = true; // the run's changes stay out of the cache
    pending[0]();
    expect(fs.readdirSync(cacheDir).filter((name) => name.endsWith('.jsonl'))).toHaveLength(1);
    const cached = readCassetteFile(file, { cacheDir })!;
    expect(Object.getOwnPropertyDescriptor(cached.interactions[0], 'request')).toHaveProperty('value'); // from the cache
    expect(cached).toEqual(parseCassette(text, file));
  });

  test('a cassette with a damaged response gets no cache entry, and reports it on every read', () => {
    const file = path.join(dir, 'damaged.yaml');
    fs.writeFileSync(file, serializeCassette(doc(100)).replace('    response:\n      status_code: 200', '    response:\n      status_code: [200'));
    const cacheDir = path.join(dir, 'cache');
    const read = readCassetteFile(file, { cacheDir })!; // the entry's write runs at once: no deferCacheWrite
    expect(fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).filter((name) => !name.startsWith('.last')) : []).toEqual([]);
    expect(() => read.interactions[0].response).toThrow(CassetteCorruptError);
    expect(() => readCassetteFile(file, { cacheDir })!.interactions[0].response).toThrow(CassetteCorruptError);
  });
});
