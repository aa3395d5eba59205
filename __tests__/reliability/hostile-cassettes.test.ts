/**
 * Hostile and damaged cassettes: whatever the bytes, the loader answers with a
 * typed error (or a valid cassette), never a crash, a hang or a generic error.
 */
import { parseCassette, parseCassetteLines, serializeCassette, type CassetteDocument, type Interaction } from '../../src/cassette/cassette-format';
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
    request: index === 2 ? { name: 'lookup', args: { q: 'x' } } : ({ method: 'POST', url: `http://api.test/${index}`, headers: { a: 'b' }, json: { q: [1, 2, { deep: 'yes' }] } } as Interaction['request']),
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
    for (let i = 1; i < 20; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    lines.push('interactions: []');
    const heapBefore = process.memoryUsage().heapUsed;
    expect(expectTypedOutcome(lines.join('\n'), 'bomb.yaml')).toBe('corrupt');
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);
  });

  test('a 20 MB string loads without trouble', () => {
    const huge = serializeCassette({ ...base, meta: { note: 'y'.repeat(20 * 1024 * 1024) } });
    expect(expectTypedOutcome(huge, 'huge.yaml')).toBe('ok');
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
      const outcome = expectTypedOutcome(text, `mutant-${i}.yaml`);
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
    // The mutations really damaged files: most were refused, some survived.
    expect(counts.corrupt).toBeGreaterThan(1000);
    expect(counts.ok).toBeGreaterThan(0);
  });
});
