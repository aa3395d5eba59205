/**
 * Reading a cassette one interaction at a time (how large YAML cassettes are
 * read): for every layout it accepts it must give exactly what parsing the
 * whole text gives, and for anything it does not vouch for it must say so
 * (undefined), so the whole-text parser decides and reports.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CassetteDocument } from '../../src/cassette/cassette-schema';
import { parseCassette, parseCassetteLines, serializeCassette } from '../../src/cassette/cassette-yaml';
import { readCassetteFile } from '../../src/cassette/cassette-file';
import { CassetteCorruptError } from '../../src/errors';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'python-agenttape');
const EXAMPLE_CASSETTES = path.join(__dirname, '..', '..', 'examples', 'weather-agent', 'cassettes');

function linesOf(text: string): string[] {
  return text.split('\n');
}

function doc(interactions: number): CassetteDocument {
  return {
    version: '1',
    created_at: '2026-11-25T00:00:00.000Z',
    run_id: 'r',
    meta: { test_name: 'lines', tags: ['a'] },
    interactions: Array.from({ length: interactions }, (_, index) => ({
      index,
      kind: 'http' as const,
      boundary: 'api.test',
      request: { method: 'POST', url: `http://api.test/${index}`, headers: { 'content-type': 'application/json' }, json: { q: index, text: '- not an item\n  - nor this\n#nor a comment' } },
      response: { status_code: 200, headers: {}, text: `line one\n\n- dash at the start\ninteractions:\n  indented ${index}\n` },
      match_key: '',
      latency_ms: 1,
      usage: null,
      tags: [],
      metadata: {},
    })),
  };
}

describe('parseCassetteLines', () => {
  test.each([0, 1, 3])('what serializeCassette writes (%i interactions) reads as the whole text does', (count) => {
    const text = serializeCassette(doc(count));
    const whole = parseCassette(text, 'a.yaml');
    expect(parseCassetteLines(linesOf(text), 'a.yaml')).toEqual(whole);
  });

  test('the Python AgentTape layout (items at column 0, flow mappings, quoted scalars) reads as the whole text does', () => {
    for (const name of fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml'))) {
      const text = fs.readFileSync(path.join(FIXTURES, name), 'utf8');
      expect(parseCassetteLines(linesOf(text), name)).toEqual(parseCassette(text, name));
    }
  });

  test('the committed example cassettes read as the whole text does', () => {
    const files = (fs.readdirSync(EXAMPLE_CASSETTES, { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) {
      const text = fs.readFileSync(path.join(EXAMPLE_CASSETTES, name), 'utf8');
      expect(parseCassetteLines(linesOf(text), name)).toEqual(parseCassette(text, name));
    }
  });

  test('a flow list on the interactions line is read with the rest of the text, as the whole text is', () => {
    const text = 'version: "1"\ninteractions: [{kind: tool, request: {}, response: 1}]\n';
    expect(parseCassetteLines(linesOf(text), 'a.yaml')).toEqual(parseCassette(text, 'a.yaml'));
  });

  test('block scalars, comments between items, root keys after the list and CRLF line ends', () => {
    const text = [
      'version: "1"',
      '# a comment before the list',
      'interactions:',
      '',
      '  # a comment before the first item',
      '  - index: 0',
      '    kind: tool',
      '    request: {name: search}',
      '    response:',
      '      text: |',
      '        - looks like an item, is text',
      '',
      '        # looks like a comment, is text',
      '# a comment at column 0 between items',
      '  - index: 1',
      '    kind: tool',
      '    request: {name: search}',
      '    response: "a double-quoted',
      '      string on two lines"',
      'meta:',
      '  test_name: after the list',
      '',
    ].join('\r\n');
    const lines = parseCassetteLines(linesOf(text), 'a.yaml');
    expect(lines).toEqual(parseCassette(text, 'a.yaml'));
    expect(lines!.meta).toEqual({ test_name: 'after the list' });
    expect(lines!.interactions.map((x) => x.response)).toEqual([{ text: '- looks like an item, is text\n\n# looks like a comment, is text\n' }, 'a double-quoted string on two lines']);
  });

  test.each([
    ['an anchor', 'version: "1"\ninteractions:\n  - &a {kind: tool, request: {}, response: 1}\n'],
    ['an alias across items', 'version: "1"\ninteractions:\n  - {kind: tool, request: &r {n: 1}, response: 1}\n  - {kind: tool, request: *r, response: 1}\n'],
    ['a syntax error in one item', 'version: "1"\ninteractions:\n  - kind: tool\n    request: {n: 1\n    response: 1\n'],
    ['a duplicate interactions key', 'version: "1"\ninteractions:\n  - {kind: tool, request: {}, response: 1}\ninteractions: []\n'],
    ['an invalid field', 'version: "1"\ninteractions:\n  - {kind: teleport, request: {}, response: 1}\n'],
    ['a second document', 'version: "1"\ninteractions:\n  - {kind: tool, request: {}, response: 1}\n---\nversion: "1"\n'],
    ['a list that is not one', 'version: "1"\ninteractions:\nmeta: {}\n'],
  ])('%s is left to the whole-text parser', (_name, text) => {
    expect(parseCassetteLines(linesOf(text), 'a.yaml')).toBeUndefined();
  });
});

describe('readCassetteFile on a large YAML cassette', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-lines-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('reads it line by line across chunk boundaries, with and without a cache, as the whole text parses', () => {
    // Over 1 MiB with multi-byte characters, so chunks split lines and characters.
    const big = doc(300);
    for (const interaction of big.interactions) (interaction.response as { text: string }).text = `héllo wörld ✓ ${'ü'.repeat(2000)}\n- x\n`;
    const text = serializeCassette(big);
    expect(Buffer.byteLength(text)).toBeGreaterThan(1024 * 1024);
    const file = path.join(dir, 'big.yaml');
    fs.writeFileSync(file, text);
    const whole = parseCassette(text, file);
    expect(readCassetteFile(file)).toEqual(whole);
    const cacheDir = path.join(dir, 'cache');
    expect(readCassetteFile(file, { cacheDir })).toEqual(whole);
    expect(readCassetteFile(file, { cacheDir })).toEqual(whole);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  test('a large cassette in a layout the line reader refuses is read whole, and cached under its own hash', () => {
    const text = serializeCassette(doc(200)).replace('interactions:\n  - index: 0', 'interactions:\n  - &first\n    index: 0');
    const file = path.join(dir, 'anchored.yaml');
    fs.writeFileSync(file, text);
    const cacheDir = path.join(dir, 'cache');
    const first = readCassetteFile(file, { cacheDir });
    expect(first).toEqual(parseCassette(text, file));
    expect(readCassetteFile(file, { cacheDir })).toEqual(first);
  });

  test('a corrupt large cassette is a CassetteCorruptError naming the line', () => {
    const text = serializeCassette(doc(200)).replace('kind: http', 'kind: teleport');
    const file = path.join(dir, 'corrupt.yaml');
    fs.writeFileSync(file, text);
    expect(() => readCassetteFile(file, { cacheDir: path.join(dir, 'cache') })).toThrow(CassetteCorruptError);
    const line = text.split('\n').indexOf('    kind: teleport') + 1;
    expect(() => readCassetteFile(file)).toThrow(`field "interactions[0].kind" (line ${line})`);
  });
});
