import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Interaction } from '../../src/cassette/cassette-schema';
import type { Json } from '../../src/json';
import { loadConfig, type MatcherSpec } from '../../src/config/config';
import { computeMatchKey, canonicalizeRequest, canonicalOptions } from '../../src/engine/canonical-request';
import { MatchIndex, matchKeyOf, type IncomingRequest } from '../../src/engine/match-index';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-match-'));

function config(options: Record<string, unknown> = {}) {
  return loadConfig(root, options);
}

function post(json: Json, headers: { [key: string]: Json } = {}, url = 'https://api.example.com/v1/run'): { [key: string]: Json } {
  return { method: 'POST', url, headers, json };
}

function recording(request: { [key: string]: Json }, boundary = 'api.example.com', kind: Interaction['kind'] = 'http'): Interaction {
  return { index: 0, kind, boundary, request, match_key: '', latency_ms: 0, usage: null, tags: [], metadata: {} };
}

function incoming(request: { [key: string]: Json }, boundary = 'api.example.com', kind: Interaction['kind'] = 'http'): IncomingRequest {
  return { kind, boundary, request };
}

describe('ignore_volatile (the default)', () => {
  test('volatile fields at any depth, query order and JSON key order do not decide a match', () => {
    const index = new MatchIndex([recording(post({ q: 'hi', meta: { created_at: 1, request_id: 'a' } }, {}, 'https://api.example.com/v1/run?b=2&a=1'))], config());
    expect(index.take(incoming(post({ meta: { request_id: 'b', created_at: 2 }, q: 'hi' }, {}, 'https://api.example.com/v1/run?a=1&b=2')))).toBe(0);
  });

  test('a changed field misses, and kind and boundary must agree', () => {
    const index = new MatchIndex([recording(post({ q: 'hi' }))], config());
    expect(index.take(incoming(post({ q: 'hello' })))).toBeUndefined();
    expect(index.take(incoming(post({ q: 'hi' }), 'other.example.com'))).toBeUndefined();
    expect(index.take(incoming(post({ q: 'hi' }), 'llm', 'llm'))).toBeUndefined();
  });

  test('ignoreVolatileFields adds fields (body keys and query parameters) to the volatile list', () => {
    const recorded = [recording(post({ q: 'hi', seed: 1 }, {}, 'https://api.example.com/v1/run?cache_bust=1'))];
    const request = incoming(post({ q: 'hi', seed: 2 }, {}, 'https://api.example.com/v1/run?cache_bust=2'));
    expect(new MatchIndex(recorded, config()).take(request)).toBeUndefined();
    expect(new MatchIndex(recorded, config({ ignoreVolatileFields: ['seed', 'cache_bust'] })).take(request)).toBe(0);
  });

  test('identical requests are served in recorded order, each recording once', () => {
    const index = new MatchIndex([recording(post({ q: 'same' })), recording(post({ q: 'other' })), recording(post({ q: 'same' }))], config());
    expect(index.take(incoming(post({ q: 'same' })))).toBe(0);
    expect(index.take(incoming(post({ q: 'same' })))).toBe(2);
    expect(index.take(incoming(post({ q: 'same' })))).toBeUndefined();
    expect([...index.usedPositions()].sort()).toEqual([0, 2]);
  });
});

describe('exact', () => {
  test('compares volatile fields too', () => {
    const recorded = [recording(post({ q: 'hi', timestamp: 1 }))];
    expect(new MatchIndex(recorded, config({ matchers: ['exact'] })).take(incoming(post({ q: 'hi', timestamp: 2 })))).toBeUndefined();
    expect(new MatchIndex(recorded, config({ matchers: ['exact'] })).take(incoming(post({ q: 'hi', timestamp: 1 })))).toBe(0);
  });
});

describe('matchHeaders', () => {
  const recorded = [recording(post({ q: 'hi' }, { 'x-tenant': 'acme', 'x-stainless-os': 'Linux', accept: 'application/json' }))];

  test('headers are ignored by default', () => {
    expect(new MatchIndex(recorded, config()).take(incoming(post({ q: 'hi' }, { 'x-tenant': 'globex' })))).toBe(0);
  });

  test('a list compares those headers only, by lower-case name', () => {
    const options = { matchHeaders: ['X-Tenant'] };
    expect(new MatchIndex(recorded, config(options)).take(incoming(post({ q: 'hi' }, { 'x-tenant': 'globex', accept: 'application/json' })))).toBeUndefined();
    expect(new MatchIndex(recorded, config(options)).take(incoming(post({ q: 'hi' }, { 'X-Tenant': 'acme', accept: 'text/plain' })))).toBe(0);
  });

  test('true compares every non-volatile header', () => {
    const options = { matchHeaders: true };
    expect(new MatchIndex(recorded, config(options)).take(incoming(post({ q: 'hi' }, { 'x-tenant': 'acme', 'x-stainless-os': 'MacOS', accept: 'application/json' })))).toBe(0);
    expect(new MatchIndex(recorded, config(options)).take(incoming(post({ q: 'hi' }, { 'x-tenant': 'acme', accept: 'text/plain' })))).toBeUndefined();
  });
});

describe('ordered', () => {
  test('the n-th call of a kind and boundary gets the n-th recording, whatever its content', () => {
    const index = new MatchIndex([recording(post({ q: 'first' })), recording(post({ q: 'x' }), 'other.example.com'), recording(post({ q: 'second' }))], config({ matchers: ['ordered'] }));
    expect(index.take(incoming(post({ q: 'anything' })))).toBe(0);
    expect(index.take(incoming(post({ q: 'anything else' })))).toBe(2);
    expect(index.take(incoming(post({ q: 'more' })))).toBeUndefined();
    expect(index.take(incoming(post({ q: 'y' }), 'other.example.com'))).toBe(1);
  });
});

describe('a function returning a key', () => {
  test('matches on what the function returns (here: the last user message)', () => {
    const lastMessage: MatcherSpec = (request) => {
      const messages = (request as { json?: { messages?: { content: string }[] } }).json?.messages ?? [];
      return messages[messages.length - 1]?.content ?? '';
    };
    const index = new MatchIndex([recording(post({ model: 'a', messages: [{ content: 'sys' }, { content: 'weather?' }] }))], config({ matchers: [lastMessage] }));
    expect(index.take(incoming(post({ model: 'b', messages: [{ content: 'other system prompt' }, { content: 'weather?' }] })))).toBe(0);
  });
});

describe('fallback chains', () => {
  test('the first matcher that finds a recording wins; a recording is served once across the chain', () => {
    const index = new MatchIndex([recording(post({ q: 'exact one' })), recording(post({ q: 'drifted' }))], config({ matchers: ['ignore_volatile', 'ordered'] }));
    // Not equal to any recording: falls back to order and gets the first unused one.
    expect(index.take(incoming(post({ q: 'something new' })))).toBe(0);
    // Equal to recording 0, which is used: ordered gives the next unused one.
    expect(index.take(incoming(post({ q: 'exact one' })))).toBe(1);
    expect(index.take(incoming(post({ q: 'exact one' })))).toBeUndefined();
  });

  test('an exact match is preferred over the fallback even when it is not next in order', () => {
    const index = new MatchIndex([recording(post({ q: 'a' })), recording(post({ q: 'b' }))], config({ matchers: ['exact', 'ordered'] }));
    expect(index.take(incoming(post({ q: 'b' })))).toBe(1);
    expect(index.take(incoming(post({ q: 'zzz' })))).toBe(0);
  });
});

describe('matchKeyOf: the match_key every writer records', () => {
  test('sha256 of the request canonicalized with the first matcher: volatile fields and query order do not change it', () => {
    const a = post({ q: 'hi', created_at: 1 }, {}, 'https://api.example.com/v1/run?b=2&a=1');
    const b = post({ created_at: 2, q: 'hi' }, {}, 'https://api.example.com/v1/run?a=1&b=2');
    expect(matchKeyOf(a, config())).toBe(matchKeyOf(b, config()));
    expect(matchKeyOf(a, config())).toBe(computeMatchKey(canonicalizeRequest(a, canonicalOptions(config(), false))));
    expect(matchKeyOf(a, config())).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test('with `exact` first, volatile fields are part of the key', () => {
    const exact = config({ matchers: ['exact'] });
    expect(matchKeyOf(post({ q: 'hi', created_at: 1 }), exact)).not.toBe(matchKeyOf(post({ q: 'hi', created_at: 2 }), exact));
  });
});
