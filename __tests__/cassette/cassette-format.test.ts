import type { CassetteDocument } from '../../src/cassette/cassette-schema';
import { parseCassette, serializeCassette } from '../../src/cassette/cassette-yaml';
import { CassetteCorruptError, SchemaVersionError } from '../../src/errors';

const doc: CassetteDocument = {
  version: '1',
  created_at: '2026-11-25T12:00:00.000Z',
  run_id: 'run-1',
  meta: { agenttape_version: '0.1.0', mode: 'record', test_file: 'a.test.ts', test_name: 'works', freeze: {}, tags: [] },
  interactions: [
    {
      index: 0,
      kind: 'http',
      boundary: 'api.example.com',
      request: { method: 'POST', url: 'https://api.example.com/v1?a=1', headers: { 'content-type': 'application/json' }, json: { q: 'multi\nline', n: 1.5 } },
      response: { status_code: 200, headers: { 'content-type': 'application/json' }, json: { ok: true, when: '2026-11-25', num: '007' } },
      match_key: 'sha256:abc',
      latency_ms: 3.2,
      usage: null,
      tags: [],
      metadata: {},
    },
    {
      index: 1,
      kind: 'tool',
      boundary: 'charge_card',
      request: { name: 'charge_card', args: { amount: 4200 } },
      error: { type: 'TimeoutError', message: 'gateway timed out' },
      match_key: 'sha256:def',
      latency_ms: null,
      usage: null,
      tags: ['payments'],
      metadata: {},
    },
  ],
};

describe('cassette format', () => {
  test('round trips: parse(serialize(x)) equals x and re-serializing gives identical bytes', () => {
    const text = serializeCassette(doc);
    const parsed = parseCassette(text, 'a.yaml');
    expect(parsed).toEqual(doc);
    expect(serializeCassette(parsed)).toBe(text);
  });

  test('writes root keys in schema order, version as a string, and a trailing newline', () => {
    const text = serializeCassette(doc);
    const rootKeys = text
      .split('\n')
      .filter((l) => /^[a-z_]+:/.test(l))
      .map((l) => l.split(':')[0]);
    expect(rootKeys).toEqual(['version', 'created_at', 'run_id', 'meta', 'interactions']);
    expect(text.startsWith('version: "1"\n')).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
    expect(text).not.toMatch(/[&*]\w+/); // no anchors or aliases
  });

  test('invalid YAML is a CassetteCorruptError with file and line', () => {
    expect(() => parseCassette('version: "1"\ninteractions:\n  - index: 0\n   kind: [http\n', 'bad.yaml')).toThrow(CassetteCorruptError);
    expect(() => parseCassette('version: "1"\ninteractions:\n  - index: 0\n   kind: [http\n', 'bad.yaml')).toThrow(/bad\.yaml is not valid YAML \(line \d+, column \d+\)/);
  });

  test('a field of the wrong type names the field and its line', () => {
    const text = serializeCassette(doc).replace('kind: tool', 'kind: teleport');
    expect(() => parseCassette(text, 'c.yaml')).toThrow(/field "interactions\[1\]\.kind" \(line \d+\) must be one of llm, tool/);
  });

  test('an unknown version is a SchemaVersionError', () => {
    const text = serializeCassette(doc).replace('version: "1"', 'version: "2"');
    expect(() => parseCassette(text, 'v.yaml')).toThrow(SchemaVersionError);
    expect(() => parseCassette(text, 'v.yaml')).toThrow(/schema version "2".*supported: "1"/);
  });

  test('an alias bomb is refused, not expanded', () => {
    const bomb = ['version: "1"', 'a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 12; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(',')}]`,
      );
    bomb.push('interactions: []');
    expect(() => parseCassette(bomb.join('\n'), 'bomb.yaml')).toThrow(CassetteCorruptError);
  });

  test('a custom tag is refused', () => {
    expect(() => parseCassette('version: "1"\nmeta: !!js/function "() => 1"\ninteractions: []\n', 't.yaml')).toThrow(CassetteCorruptError);
  });
});

describe('strings that look like other YAML types survive a round trip', () => {
  const tricky = [
    '007',
    'true',
    'False',
    'null',
    '~',
    '2026-11-25',
    '2026-11-25T12:00:00Z',
    '1e3',
    '0x1F',
    '.inf',
    'yes',
    'on',
    ' leading',
    'trailing ',
    'a: b',
    '- x',
    '#hash',
    '**bold** text',
    '*alias',
    '&anchor',
    '!important',
    '!!str',
    '',
    'multi\nline\n',
    'tab\there',
    '"quoted"',
    "'single'",
    'emoji 🌧️',
    '[1, 2]',
    '{a: 1}',
    '%YAML',
    '---',
    '...',
  ];
  test.each(tricky)('%j', (value) => {
    const withValue: CassetteDocument = { ...doc, meta: { value, list: [value], nested: { [value || 'empty']: value } } };
    const text = serializeCassette(withValue);
    expect(parseCassette(text, 't.yaml').meta).toEqual(withValue.meta);
    expect(serializeCassette(parseCassette(text, 't.yaml'))).toBe(text);
  });
});
