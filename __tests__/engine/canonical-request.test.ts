import { canonicalizeRequest, canonicalOptions, canonicalUrl, computeMatchKey, isVolatileName, stableStringify } from '../../src/engine/canonical-request';

const defaults = canonicalOptions({ ignoreVolatileFields: [], matchHeaders: false }, false);
const exact = canonicalOptions({ ignoreVolatileFields: [], matchHeaders: false }, true);

describe('canonical URL', () => {
  test('query parameters are sorted by name, then value', () => {
    expect(canonicalUrl('https://api.x.com/v1/search?b=2&a=1&a=0', defaults)).toBe('https://api.x.com/v1/search?a=0&a=1&b=2');
  });
  test('scheme and host are lower-cased and the default port dropped; the path keeps its case', () => {
    expect(canonicalUrl('HTTPS://API.X.com:443/V1/Items', defaults)).toBe('https://api.x.com/V1/Items');
    expect(canonicalUrl('http://127.0.0.1:8080/a', defaults)).toBe('http://127.0.0.1:8080/a');
  });
  test('volatile query parameters are dropped, except with the exact matcher', () => {
    expect(canonicalUrl('https://x/a?q=1&timestamp=123&nonce=abc', defaults)).toBe('https://x/a?q=1');
    expect(canonicalUrl('https://x/a?q=1&timestamp=123', exact)).toBe('https://x/a?q=1&timestamp=123');
  });
  test('a URL that does not parse is compared as it is', () => {
    expect(canonicalUrl('not a url', defaults)).toBe('not a url');
  });
});

describe('canonical HTTP request', () => {
  const request = {
    method: 'post',
    url: 'https://api.openai.com/v1/chat/completions?z=1&a=2',
    headers: { 'Content-Type': 'application/json', 'User-Agent': 'OpenAI/JS 6.0', 'x-stainless-os': 'Linux', 'X-Tenant': 'acme' },
    json: { model: 'gpt-4o-mini', created: 1700000000, metadata: { request_id: 'r1', user: 'u' }, messages: [{ role: 'user', content: 'hi', timestamp: 5 }] },
  };

  test('upper-case method, sorted query, volatile fields dropped at any depth, headers left out by default', () => {
    expect(canonicalizeRequest(request, defaults)).toEqual({
      method: 'POST',
      url: 'https://api.openai.com/v1/chat/completions?a=2&z=1',
      json: { model: 'gpt-4o-mini', metadata: { user: 'u' }, messages: [{ role: 'user', content: 'hi' }] },
    });
  });

  test('configured volatile fields are dropped too, case-insensitively', () => {
    const options = canonicalOptions({ ignoreVolatileFields: ['Model', 'seed'], matchHeaders: false }, false);
    expect(canonicalizeRequest(request, options).json).toEqual({ metadata: { user: 'u' }, messages: [{ role: 'user', content: 'hi' }] });
  });

  test('the exact matcher keeps every field', () => {
    expect(canonicalizeRequest(request, exact).json).toEqual(request.json);
  });

  test('matchHeaders: true compares every non-volatile header, lower-cased', () => {
    const options = canonicalOptions({ ignoreVolatileFields: [], matchHeaders: true }, false);
    expect(canonicalizeRequest(request, options).headers).toEqual({ 'content-type': 'application/json', 'x-tenant': 'acme' });
  });

  test('matchHeaders: names compares only those headers', () => {
    const options = canonicalOptions({ ignoreVolatileFields: [], matchHeaders: ['x-tenant'] }, false);
    expect(canonicalizeRequest(request, options).headers).toEqual({ 'x-tenant': 'acme' });
  });

  test('text and base64 bodies are compared as they are', () => {
    expect(canonicalizeRequest({ method: 'PUT', url: 'https://x/a', text: 'timestamp=1' }, defaults)).toEqual({ method: 'PUT', url: 'https://x/a', text: 'timestamp=1' });
    expect(canonicalizeRequest({ method: 'PUT', url: 'https://x/a', body_b64: 'AAE=' }, defaults).body_b64).toBe('AAE=');
  });

  test('a tool request drops volatile fields from its arguments', () => {
    expect(canonicalizeRequest({ name: 'charge_card', args: { amount: 42, idempotency_key: 'k', nonce: 'n' } }, defaults)).toEqual({
      name: 'charge_card',
      args: { amount: 42, idempotency_key: 'k' },
    });
  });
});

describe('match key', () => {
  test('key order never changes the key; values do', () => {
    const a = canonicalizeRequest({ method: 'POST', url: 'https://x/a', json: { b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } } }, defaults);
    const b = canonicalizeRequest({ url: 'https://x/a', json: { a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }, method: 'post' }, defaults);
    expect(computeMatchKey(a)).toBe(computeMatchKey(b));
    const c = canonicalizeRequest({ method: 'POST', url: 'https://x/a', json: { b: 1, a: { d: [{ y: 2, x: 1 }, 1], c: null } } }, defaults);
    expect(computeMatchKey(c)).not.toBe(computeMatchKey(a));
  });

  test('requests that differ only in volatile fields share a key', () => {
    const one = canonicalizeRequest({ method: 'GET', url: 'https://x/a?nonce=1', json: { q: 1, created_at: 'a' } }, defaults);
    const two = canonicalizeRequest({ method: 'GET', url: 'https://x/a?nonce=2', json: { q: 1, created_at: 'b' } }, defaults);
    expect(computeMatchKey(one)).toBe(computeMatchKey(two));
  });

  test('is sha256 of the stable JSON', () => {
    expect(computeMatchKey({ a: 1 })).toBe('sha256:015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862');
    expect(stableStringify({ b: 1, a: [2, { d: 1, c: 0 }], u: undefined })).toBe('{"a":[2,{"c":0,"d":1}],"b":1}');
  });
});

describe('volatile names', () => {
  test('built-in names and the SDK x-stainless-* headers, case-insensitively; none with exact', () => {
    for (const name of ['Date', 'User-Agent', 'traceparent', 'Idempotency-Key', 'X-Request-Id', 'X-Stainless-Retry-Count']) expect(isVolatileName(name, defaults)).toBe(true);
    expect(isVolatileName('content-type', defaults)).toBe(false);
    expect(isVolatileName('X-Stainless-OS', exact)).toBe(false);
  });
});
