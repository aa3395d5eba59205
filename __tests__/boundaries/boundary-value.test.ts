import { rebuildError, recordError } from '../../src/boundaries/boundary-error';
import { decodeValue, encodeValue } from '../../src/boundaries/boundary-value';
import { stableStringify } from '../../src/engine/canonical-request';
import { parseCassette, serializeCassette } from '../../src/cassette/cassette-yaml';
import type { Json } from '../../src/json';

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
}

/** Through YAML and back, as a cassette stores it. */
function throughCassette(value: Json): Json {
  const doc = {
    version: '1',
    created_at: '',
    run_id: '',
    meta: {},
    interactions: [{ index: 0, kind: 'tool' as const, boundary: 't', request: { name: 't', args: [] }, response: value, match_key: '', latency_ms: 1, usage: null, tags: [], metadata: {} }],
  };
  return parseCassette(serializeCassette(doc), 'mem.yaml').interactions[0].response as Json;
}

describe('boundary values', () => {
  test('non-plain values survive a cassette round trip', () => {
    const value = {
      when: new Date('2024-05-01T10:00:00.000Z'),
      tags: new Set(['a', 'b']),
      scores: new Map<unknown, unknown>([
        ['x', 1n],
        [2, undefined],
      ]),
      bytes: Buffer.from('hi'),
      floats: new Float32Array([1.5]),
      pattern: /ab+c/gi,
      missing: undefined,
      big: 12345678901234567890n,
      notANumber: NaN,
      infinite: -Infinity,
      point: new Point(1, 2),
      looksTagged: { $type: 'Date', value: 'not a date' },
    };
    const decoded = decodeValue(throughCassette(encodeValue(value))) as typeof value;
    expect(decoded.when).toBeInstanceOf(Date);
    expect(decoded.when.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(decoded.tags).toEqual(new Set(['a', 'b']));
    expect(decoded.scores).toEqual(
      new Map<unknown, unknown>([
        ['x', 1n],
        [2, undefined],
      ]),
    );
    expect(Buffer.isBuffer(decoded.bytes) && decoded.bytes.toString()).toBe('hi');
    expect(decoded.floats).toEqual(new Float32Array([1.5]));
    expect(decoded.pattern).toEqual(/ab+c/gi);
    expect('missing' in decoded && decoded.missing === undefined).toBe(true);
    expect(decoded.big).toBe(12345678901234567890n);
    expect(decoded.notANumber).toBeNaN();
    expect(decoded.infinite).toBe(-Infinity);
    expect(decoded.point).toEqual({ x: 1, y: 2 });
    expect(decoded.looksTagged).toEqual({ $type: 'Date', value: 'not a date' });
  });

  test('the stored form is stable: equal values give equal text, whatever the key order', () => {
    const a = encodeValue({ b: new Date(0), a: [1, new Set([2])] });
    const b = encodeValue({ a: [1, new Set([2])], b: new Date(0) });
    expect(stableStringify(a)).toBe(stableStringify(b));
    expect(encodeValue(new Point(3, 4))).toEqual({ $type: 'Instance', class: 'Point', fields: { x: 3, y: 4 } });
  });

  test('cycles are stored as paths and rebuilt as the same object', () => {
    const node: { name: string; self?: unknown; children: unknown[] } = { name: 'root', children: [] };
    node.self = node;
    node.children.push({ parent: node });
    const stored = encodeValue(node);
    expect(stored).toEqual({ name: 'root', self: { $type: 'Circular', path: '$' }, children: [{ parent: { $type: 'Circular', path: '$' } }] });
    const decoded = decodeValue(throughCassette(stored)) as typeof node;
    expect(decoded.self).toBe(decoded);
    expect((decoded.children[0] as { parent: unknown }).parent).toBe(decoded);
  });
});

describe('boundary errors', () => {
  test.each([Error, TypeError, RangeError, SyntaxError, ReferenceError, URIError, EvalError])('%p comes back as the same class, name and message', (Kind) => {
    const rebuilt = rebuildError(recordError(new Kind('city not found'))) as Error;
    expect(rebuilt).toBeInstanceOf(Kind);
    expect(rebuilt.name).toBe(Kind.name);
    expect(rebuilt.message).toBe('city not found');
  });

  test('a custom class keeps its name, message and simple fields', () => {
    class PaymentDeclined extends Error {
      code = 'card_declined';
      status = 402;
      constructor(message: string) {
        super(message);
        this.name = 'PaymentDeclined';
      }
    }
    const recorded = recordError(new PaymentDeclined('Your card was declined.'));
    expect(recorded).toEqual({ type: 'PaymentDeclined', message: 'Your card was declined.', attrs: { code: 'card_declined', status: 402, name: 'PaymentDeclined' } });
    const rebuilt = rebuildError(recorded) as Error & { code: string; status: number };
    expect([rebuilt.name, rebuilt.message, rebuilt.code, rebuilt.status]).toEqual(['PaymentDeclined', 'Your card was declined.', 'card_declined', 402]);
  });

  test('a thrown non-error value is thrown again as itself', () => {
    expect(rebuildError(recordError({ reason: 'nope' }))).toEqual({ reason: 'nope' });
    expect(rebuildError(recordError('plain string'))).toBe('plain string');
  });
});
