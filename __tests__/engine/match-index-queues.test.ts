import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Interaction } from '../../src/cassette/cassette-schema';
import { applyOptions, loadConfig, type AgentTapeConfig } from '../../src/config/config';
import { MatchIndex, type IncomingRequest } from '../../src/engine/match-index';

const PROJECT = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-match-'));
afterAll(() => fs.rmSync(PROJECT, { recursive: true, force: true }));
const config = (options: object = {}): AgentTapeConfig => applyOptions(loadConfig(PROJECT), options, 'test', PROJECT);

function recording(index: number, json: Interaction['request'][string], extra: Partial<Interaction> = {}): Interaction {
  return {
    index,
    kind: 'llm',
    boundary: 'llm',
    request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', json },
    response: { status_code: 200, json: { answer: index } },
    match_key: '',
    latency_ms: null,
    usage: null,
    tags: [],
    metadata: {},
    ...extra,
  };
}

const ask = (json: IncomingRequest['request'][string], extra: Partial<IncomingRequest> = {}): IncomingRequest => ({
  kind: 'llm',
  boundary: 'llm',
  request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', json },
  ...extra,
});

describe('MatchIndex', () => {
  test('identical requests are served in recorded order, each recording once', () => {
    const recordings = [recording(0, { q: 'a' }), recording(1, { q: 'b' }), recording(2, { q: 'a' }), recording(3, { q: 'a' })];
    const index = new MatchIndex(recordings, config());
    expect(index.take(ask({ q: 'a' }))).toBe(0);
    expect(index.take(ask({ q: 'a' }))).toBe(2);
    expect(index.take(ask({ q: 'b' }))).toBe(1);
    expect(index.take(ask({ q: 'a' }))).toBe(3);
    expect(index.take(ask({ q: 'a' }))).toBeUndefined();
    expect(index.take(ask({ q: 'b' }))).toBeUndefined();
    expect([...index.usedPositions()].sort()).toEqual([0, 1, 2, 3]);
  });

  test('recordings are read only as far as a request needs, with the answers of an index built whole', () => {
    const read: number[] = [];
    const recordings = [recording(0, { q: 'a' }), recording(1, { q: 'b' }), recording(2, { q: 'a' }), recording(3, { q: 'c' })].map((r) => {
      const { request } = r;
      return Object.defineProperty(r, 'request', { get: () => (read.push(r.index), request) });
    });
    const index = new MatchIndex(recordings, config({ matchers: ['exact', 'ignore_volatile'] }));
    expect(index.take(ask({ q: 'a' }))).toBe(0);
    expect(read).toEqual([0]); // a large cassette's first response does not wait for every request to be keyed
    expect(index.take(ask({ q: 'c' }))).toBe(3);
    expect(index.take(ask({ q: 'b' }))).toBe(1);
    expect(index.take(ask({ q: 'a' }))).toBe(2);
    expect(index.take(ask({ q: 'a' }))).toBeUndefined();
    expect(index.take(ask({ q: 'z' }))).toBeUndefined();
  });

  test('key order and volatile fields do not matter by default', () => {
    const index = new MatchIndex([recording(0, { model: 'm', messages: [{ role: 'user', content: 'hi' }], created: 1 })], config());
    expect(index.take(ask({ messages: [{ content: 'hi', role: 'user' }], model: 'm', created: 999 }))).toBe(0);
  });

  test('kind and boundary must match too', () => {
    const index = new MatchIndex([recording(0, { q: 'a' })], config());
    expect(index.take(ask({ q: 'a' }, { kind: 'http', boundary: 'api.openai.com' }))).toBeUndefined();
    expect(index.take(ask({ q: 'a' }))).toBe(0);
  });

  test('exact compares volatile fields', () => {
    const index = new MatchIndex([recording(0, { q: 'a', created: 1 })], config({ matchers: ['exact'] }));
    expect(index.take(ask({ q: 'a', created: 2 }))).toBeUndefined();
    expect(index.take(ask({ q: 'a', created: 1 }))).toBe(0);
  });

  test('ordered serves the n-th call of a kind/boundary the n-th recording, whatever it asks', () => {
    const index = new MatchIndex([recording(0, { q: 'a' }), recording(1, { q: 'b' }), recording(2, { q: 'c' }, { kind: 'tool', boundary: 'x' })], config({ matchers: ['ordered'] }));
    expect(index.take(ask({ q: 'zzz' }))).toBe(0);
    expect(index.take(ask({ q: 'a' }))).toBe(1);
    expect(index.take(ask({ q: 'a' }))).toBeUndefined();
  });

  test('a fallback chain: the first matcher that finds an unused recording wins, and a recording is never served twice across matchers', () => {
    const index = new MatchIndex([recording(0, { q: 'a' }), recording(1, { q: 'b' })], config({ matchers: ['ignore_volatile', 'ordered'] }));
    expect(index.take(ask({ q: 'b' }))).toBe(1);
    // No exact match left for 'c': the ordered matcher serves the first unused recording.
    expect(index.take(ask({ q: 'c' }))).toBe(0);
    expect(index.take(ask({ q: 'a' }))).toBeUndefined();
  });

  test('a custom matcher function returns the key', () => {
    const byModel = (request: unknown) => String((request as { json: { model: string } }).json.model);
    const index = new MatchIndex([recording(0, { model: 'm1', q: 'a' }), recording(1, { model: 'm2', q: 'b' })], config({ matchers: [byModel] }));
    expect(index.take(ask({ model: 'm2', q: 'anything' }))).toBe(1);
    expect(index.take(ask({ model: 'm1', q: 'else' }))).toBe(0);
  });
});
