import { diffFields, findClosest } from '../../src/engine/closest-recording';
import { formatDifferences } from '../../src/report/difference-text';

describe('diffFields', () => {
  test('lists only the leaves that differ, as paths', () => {
    const recorded = {
      method: 'POST',
      json: {
        model: 'm',
        messages: [
          { role: 'system', content: 'a' },
          { role: 'user', content: 'London' },
        ],
      },
    };
    const incoming = {
      method: 'POST',
      json: {
        model: 'm',
        messages: [
          { role: 'system', content: 'a' },
          { role: 'user', content: 'Paris' },
        ],
      },
    };
    expect(diffFields(recorded, incoming)).toEqual([{ path: 'json.messages[1].content', expected: 'London', received: 'Paris' }]);
  });

  test('added and removed fields and array items', () => {
    expect(diffFields({ json: { a: 1, list: [1, 2] } }, { json: { b: 1, list: [1] } })).toEqual([
      { path: 'json.a', expected: 1, received: undefined },
      { path: 'json.b', expected: undefined, received: 1 },
      { path: 'json.list[1]', expected: 2, received: undefined },
    ]);
  });

  test('keys that are not identifiers are quoted; a type change is one difference', () => {
    expect(diffFields({ headers: { 'x-tenant': 'a', 'a b': 1 } }, { headers: { 'x-tenant': 'b', 'a b': 2 } })).toEqual([
      { path: 'headers["a b"]', expected: 1, received: 2 },
      { path: 'headers.x-tenant', expected: 'a', received: 'b' },
    ]);
    expect(diffFields({ json: [1] }, { json: { 0: 1 } })).toEqual([{ path: 'json', expected: [1], received: { 0: 1 } }]);
    expect(diffFields('a', 'b')).toEqual([{ path: '(request)', expected: 'a', received: 'b' }]);
  });

  test('equal values, key order aside, have no differences', () => {
    expect(diffFields({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 })).toEqual([]);
  });
});

describe('findClosest', () => {
  test('picks the candidate with the fewest differing fields, the earliest on a tie', () => {
    const incoming = { url: 'u', json: { q: 'Paris', n: 1 } };
    const candidates = [
      { item: 'far', canonical: { url: 'v', json: { q: 'Rome', n: 2 } } },
      { item: 'near', canonical: { url: 'u', json: { q: 'London', n: 1 } } },
      { item: 'tie', canonical: { url: 'u', json: { q: 'Berlin', n: 1 } } },
    ];
    const closest = findClosest(incoming, candidates);
    expect(closest?.item).toBe('near');
    expect(closest?.differences).toEqual([{ path: 'json.q', expected: 'London', received: 'Paris' }]);
  });

  test('nothing to compare with', () => {
    expect(findClosest({ a: 1 }, [])).toBeUndefined();
  });
});

describe('formatDifferences', () => {
  test("one line per field: expected '…', received '…'", () => {
    expect(
      formatDifferences([
        { path: 'json.messages[0].content', expected: 'London', received: 'Paris' },
        { path: 'json.temperature', expected: 0, received: undefined },
        { path: 'json.seed', expected: undefined, received: 7 },
      ]),
    ).toBe(["  json.messages[0].content: expected 'London', received 'Paris'", '  json.temperature: expected 0, received nothing (field missing)', '  json.seed: not in the recording, received 7'].join('\n'));
  });

  test('long strings are shown as a line diff', () => {
    const expected = 'You are a weather agent. Answer in one sentence. Use Celsius. Never guess.';
    const received = 'You are a weather agent. Answer in one sentence. Use Fahrenheit. Never guess. Be brief.';
    const text = formatDifferences([{ path: 'json.messages[0].content', expected, received }]);
    expect(text).toBe(
      [
        '  json.messages[0].content: differs',
        '    - Recorded',
        '    + Received',
        '',
        '      You are a weather agent.',
        '      Answer in one sentence.',
        '    - Use Celsius.',
        '    + Use Fahrenheit.',
        '      Never guess.',
        '    + Be brief.',
      ].join('\n'),
    );
  });

  test('very long values are truncated and many differences summarized', () => {
    const text = formatDifferences([{ path: 'json.n', expected: 1, received: 'x'.repeat(500) }]);
    expect(text).toContain('… (502 chars)');
    const many = Array.from({ length: 25 }, (_, i) => ({ path: `json.f${i}`, expected: i, received: i + 1 }));
    const lines = formatDifferences(many).split('\n');
    expect(lines).toHaveLength(21);
    expect(lines[20]).toBe('  … and 5 more differences');
  });
});
