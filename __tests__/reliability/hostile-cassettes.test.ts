/**
 * Hostile and damaged cassettes: whatever the bytes, the loader answers with a
 * typed error (or a valid cassette), never a crash, a hang or a generic error.
 */
import { performance } from 'node:perf_hooks';
import { stringifyYaml as stringify } from '../support/yaml-text';
import { parseCassetteFile } from '../../src/cassette/cassette-file';
import type { CassetteDocument, Interaction } from '../../src/cassette/cassette-schema';
import { parseCassette, parseCassetteLines, serializeCassette } from '../../src/cassette/cassette-yaml';
import { CassetteCorruptError, SchemaVersionError } from '../../src/errors';

const base: CassetteDocument = {
  version: '1',
  created_at: '2026-11-25T12:00:00.000Z',
  run_id: 'r',
  meta: { agenttape_version: '0.1.0', mode: 'record', freeze: {}, tags: [] },
  interactions: [0, 1, 2].map((index): Interaction => ({
    index,
    kind: index === 2 ? 'tool' : 'http',
    boundary: index === 2 ? 'lookup' : 'api.test',
    request: index === 2 ? { name: 'lookup', args: { q: 'x' } } : { method: 'POST', url: `http://api.test/${index}`, headers: { a: 'b' }, json: { q: [1, 2, { deep: 'yes' }] } },
    response: index === 2 ? { ok: true } : { status_code: 200, headers: { 'content-type': 'application/json' }, json: { answer: 'multi\nline text' } },
    match_key: 'sha256:0',
    latency_ms: 1.5,
    usage: null,
    tags: [],
    metadata: {},
  })),
};
const valid = serializeCassette(base);

function expectTypedOutcome(text: string, label: string): 'ok' | 'corrupt' | 'version' {
  try {
    parseCassette(text, label);
    return 'ok';
  } catch (error) {
    if (error instanceof CassetteCorruptError) {
      expect((error as Error).message).toContain(label);
      return 'corrupt';
    }
    if (error instanceof SchemaVersionError) return 'version';
    throw new Error(`untyped error for ${label}: ${(error as Error).stack}\n--- input ---\n${text.slice(0, 500)}`);
  }
}

describe('hostile cassettes', () => {
  test.each([
    ['empty file', ''],
    ['only a comment', '# nothing\n'],
    ['a scalar root', 'just text\n'],
    ['a list root', '- 1\n- 2\n'],
    ['binary garbage', Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 73) % 256)).toString('latin1')],
    ['interactions as a map', 'version: "1"\ninteractions: { a: 1 }\n'],
    ['interaction as a scalar', 'version: "1"\ninteractions: [3]\n'],
    ['status code as text', valid.replace('status_code: 200', 'status_code: "two hundred"')],
    ['index as a float', valid.replace('index: 1', 'index: 1.5')],
    ['request as a list', valid.replace(/request:\n {6}method: POST/, 'request: [1]\n      method: POST')],
    ['tags as a map', valid.replace('tags: []\n    metadata', 'tags: { a: 1 }\n    metadata')],
    ['duplicate keys', 'version: "1"\nversion: "1"\ninteractions: []\n'],
    ['a custom tag', 'version: "1"\nmeta: !!js/function "function () { process.exit(1) }"\ninteractions: []\n'],
    ['an unknown local tag', 'version: "1"\nmeta: !secret "x"\ninteractions: []\n'],
    ['version 2', valid.replace('version: "1"', 'version: "2"')],
    ['version missing', valid.replace('version: "1"\n', '')],
  ])('%s gets a typed error or loads', (label, text) => {
    const outcome = expectTypedOutcome(text, `hostile-${label}.yaml`);
    expect(['ok', 'corrupt', 'version']).toContain(outcome);
    if (label.startsWith('version 2')) expect(outcome).toBe('version');
    if (label !== 'version 2') expect(outcome).not.toBe('ok');
  });

  test('an alias bomb is refused within bounded time and memory', () => {
    const lines = ['version: "1"', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 20; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    lines.push('interactions: []');
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    expect(expectTypedOutcome(lines.join('\n'), 'bomb.yaml')).toBe('corrupt');
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);
  });

  test('a 20 MB string loads without trouble', () => {
    const huge = serializeCassette({ ...base, meta: { note: 'y'.repeat(20 * 1024 * 1024) } });
    const started = performance.now();
    expect(expectTypedOutcome(huge, 'huge.yaml')).toBe('ok');
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  test('4,000 mutated cassettes (fixed seed): each loads or gets a typed error, and the line reader agrees with the whole-text parser', () => {
    let seed = 20261125;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const alphabet = ['\n', ' ', ':', '-', '[', ']', '{', '}', '&a', '*a', '!!binary', '"', "'", '|', '>', '#', '\t', '\u0000', '\uFFFD', '0', 'null', '~'];
    const counts = { ok: 0, corrupt: 0, version: 0 };
    let readByLines = 0;
    let slowest = 0;
    for (let i = 0; i < 4000; i++) {
      let text = valid;
      const edits = 1 + random(4);
      for (let e = 0; e < edits; e++) {
        const at = random(text.length);
        switch (random(4)) {
          case 0:
            text = text.slice(0, at); // truncation
            break;
          case 1:
            text = text.slice(0, at) + alphabet[random(alphabet.length)] + text.slice(at); // insertion
            break;
          case 2:
            text = text.slice(0, at) + text.slice(at + 1 + random(20)); // deletion
            break;
          default:
            text = text.slice(0, at) + String.fromCharCode(random(256)) + text.slice(at + 1); // byte flip
        }
      }
      const started = performance.now();
      const outcome = expectTypedOutcome(text, `mutant-${i}.yaml`);
      slowest = Math.max(slowest, performance.now() - started);
      counts[outcome]++;
      // The line-by-line reader (large cassettes) accepts only what the whole-text parser reads, and reads it the same.
      const byLines = parseCassetteLines(text.split('\n'), `mutant-${i}.yaml`);
      if (byLines !== undefined) {
        expect(outcome).toBe('ok');
        expect(byLines).toEqual(parseCassette(text, `mutant-${i}.yaml`));
        readByLines++;
      }
    }
    expect(readByLines).toBeGreaterThan(0);
    // Bounded time: no mutant sends the parser into a long loop (a case takes about a millisecond).
    expect(slowest).toBeLessThan(2_000);
    // The mutations really damaged files: most were refused, some survived.
    expect(counts.corrupt).toBeGreaterThan(1000);
    expect(counts.ok).toBeGreaterThan(0);
  });
});

describe('wrong types in every field', () => {
  // A cassette with every field the loader reads: an http interaction with a streamed response,
  // a tool interaction, an error interaction, and the freeze values replay restores.
  const full = {
    version: '1',
    created_at: '2026-11-25T12:00:00.000Z',
    run_id: 'r',
    meta: {
      agenttape_version: '0.1.0',
      mode: 'record',
      freeze: { features: ['clock', 'uuid', 'random'], base_time: 1795648745.856, base_iso: '2026-11-25T23:19:05.856Z', random_seed: 7, uuids: ['91d9c442-a576-44cb-b47d-3549cf7c2c68'] },
      tags: ['smoke'],
    },
    interactions: [
      {
        index: 0,
        kind: 'http',
        boundary: 'api.test',
        request: { method: 'POST', url: 'http://api.test/a', headers: { accept: 'text/event-stream' }, text: 'q' },
        response: { status_code: 200, headers: { 'content-type': 'text/event-stream' }, sse: [{ data: { a: 1 }, delay_ms: 1 }] },
        match_key: 'sha256:0',
        latency_ms: 1.5,
        usage: { input_tokens: 1 },
        tags: ['t'],
        metadata: {},
      },
      { index: 1, kind: 'tool', boundary: 'lookup', request: { name: 'lookup', args: ['x'] }, response: { ok: true }, match_key: 'sha256:1', latency_ms: 1, usage: null, tags: [], metadata: {} },
      {
        index: 2,
        kind: 'http',
        boundary: 'api.test',
        request: { method: 'GET', url: 'http://api.test/b', headers: {} },
        error: { type: 'Error', message: 'ECONNREFUSED' },
        match_key: 'sha256:2',
        latency_ms: 1,
        usage: null,
        tags: [],
        metadata: {},
      },
    ],
  };

  // [path to set, wrong value, the field the error must name]
  const CASES: [(string | number)[], unknown, string][] = [
    [['meta'], 'text', 'meta'],
    [['meta', 'tags'], { a: 1 }, 'meta.tags'],
    [['meta', 'freeze'], 42, 'meta.freeze'],
    [['meta', 'freeze', 'features'], 'clock', 'meta.freeze.features'],
    [['meta', 'freeze', 'base_time'], 'noon', 'meta.freeze.base_time'],
    [['meta', 'freeze', 'base_iso'], 12, 'meta.freeze.base_iso'],
    [['meta', 'freeze', 'base_iso'], 'not a date', 'meta.freeze.base_iso'],
    [['meta', 'freeze', 'random_seed'], 'seven', 'meta.freeze.random_seed'],
    [['meta', 'freeze', 'uuids'], [1, 'x'], 'meta.freeze.uuids'],
    [['interactions'], { a: 1 }, 'interactions'],
    [['interactions', 0], 3, 'interactions[0]'],
    [['interactions', 0, 'index'], 'one', 'interactions[0].index'],
    [['interactions', 0, 'kind'], 42, 'interactions[0].kind'],
    [['interactions', 0, 'kind'], 'telepathy', 'interactions[0].kind'],
    [['interactions', 0, 'boundary'], [1], 'interactions[0].boundary'],
    [['interactions', 0, 'request'], 'GET', 'interactions[0].request'],
    [['interactions', 0, 'request', 'method'], 1, 'interactions[0].request'],
    [['interactions', 0, 'request', 'url'], { a: 1 }, 'interactions[0].request'],
    [['interactions', 0, 'request', 'headers'], 'accept', 'interactions[0].request'],
    [['interactions', 0, 'request', 'text'], 42, 'interactions[0].request'],
    [['interactions', 0, 'request', 'body_b64'], [1], 'interactions[0].request'],
    [['interactions', 0, 'response'], 'ok', 'interactions[0].response'],
    [['interactions', 0, 'response', 'status_code'], '200', 'interactions[0].response'],
    [['interactions', 0, 'response', 'headers'], [1], 'interactions[0].response'],
    [['interactions', 0, 'response', 'headers', 'content-type'], { nested: 1 }, 'interactions[0].response'],
    [['interactions', 0, 'request', 'headers', 'a'], ['b', { c: 1 }], 'interactions[0].request'],
    [['interactions', 0, 'response', 'text'], 42, 'interactions[0].response'],
    [['interactions', 0, 'response', 'body_b64'], 5, 'interactions[0].response'],
    [['interactions', 0, 'response', 'form'], 'a=1', 'interactions[0].response'],
    [['interactions', 0, 'response', 'sse'], 'data: x', 'interactions[0].response'],
    [['interactions', 0, 'response', 'sse', 0], 'data: x', 'interactions[0].response'],
    [['interactions', 0, 'response', 'chunks'], [1], 'interactions[0].response'],
    [['interactions', 0, 'match_key'], 5, 'interactions[0].match_key'],
    [['interactions', 0, 'latency_ms'], 'fast', 'interactions[0].latency_ms'],
    [['interactions', 0, 'usage'], 'many', 'interactions[0].usage'],
    [['interactions', 0, 'tags'], 'x', 'interactions[0].tags'],
    [['interactions', 0, 'tags'], [1], 'interactions[0].tags'],
    [['interactions', 0, 'metadata'], [], 'interactions[0].metadata'],
    [['interactions', 1, 'request'], null, 'interactions[1].request'],
    [['interactions', 2, 'error'], 'boom', 'interactions[2].error'],
    [['interactions', 2, 'error', 'message'], 404, 'interactions[2].error'],
  ];

  function mutate(path: (string | number)[], value: unknown): unknown {
    const copy = JSON.parse(JSON.stringify(full));
    let node = copy;
    for (const key of path.slice(0, -1)) node = node[key];
    node[path[path.length - 1]] = value;
    return copy;
  }

  test('the unmutated cassette loads, as YAML and as JSON', () => {
    expect(parseCassette(stringify(full), 'full.yaml').interactions).toHaveLength(3);
    expect(parseCassetteFile(JSON.stringify(full), 'full.json').interactions).toHaveLength(3);
  });

  test.each(CASES)('%j = %j: a CassetteCorruptError naming the file, the field and its line', (path, value, field) => {
    const text = stringify(mutate(path, value));
    let error: unknown;
    try {
      parseCassette(text, 'cassettes/a.test.ts/hostile.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CassetteCorruptError);
    const message = (error as Error).message;
    expect(message).toContain('Cassette cassettes/a.test.ts/hostile.yaml is corrupt: ');
    expect(message).toContain(`field "${field}"`);
    expect(message).toContain('The file was left untouched.');
    // The line given is where the named field's value sits (for a mapping, its first line).
    const line = Number(/\(line (\d+)\)/.exec(message)?.[1]);
    const lines = text.split('\n');
    const key = String(field.split(/[.[]/).pop()).replace(']', '');
    const at = [lines[line - 1], lines[line - 2]].join('\n');
    expect(/^\d+$/.test(key) ? at.includes('- ') : at.includes(`${key}:`)).toBe(true);
  });

  test.each(CASES)('as JSON, %j = %j still names the file and the field', (path, value, field) => {
    expect(() => parseCassetteFile(JSON.stringify(mutate(path, value)), 'hostile.json')).toThrow(new RegExp(`^Cassette hostile\\.json is corrupt: field "${field.replace(/[.[\]]/g, '\\$&')}"`));
  });

  test('fields only described, never used to replay, are read leniently', () => {
    // created_at, run_id and the meta of who recorded it are for people; replay does not read them.
    const lenient = { ...full, created_at: 42, run_id: ['x'], meta: { ...full.meta, agenttape_version: 1, mode: 7, test_file: null, test_name: {} } };
    expect(parseCassette(stringify(lenient), 'lenient.yaml').interactions).toHaveLength(3);
    // A hand-written header value that is a number (or a list) replays as its text.
    const numericHeader = mutate(['interactions', 0, 'response', 'headers'], { 'content-length': 12, vary: ['accept', 'origin'] });
    expect(parseCassette(stringify(numericHeader), 'numeric.yaml').interactions[0].response).toMatchObject({ headers: { 'content-length': 12 } });
  });
});
