/**
 * Canonical requests (see docs/format.md, "Matching"): the form two requests are compared in. HTTP:
 * upper-case method, URL with sorted query, body compared structurally; volatile
 * fields dropped unless the `exact` matcher is used; headers only when
 * configured. Tool calls: `{ name, args }` with volatile fields dropped.
 */
import { createHash } from 'node:crypto';
import { isJsonObject, type Json } from '../json';
import { isSdkHeader, VOLATILE_REQUEST_HEADERS } from '../cassette/header-policy';

/**
 * Field names that differ on every call and never decide a match by default:
 * body keys and query parameters here, plus the volatile request headers of
 * src/cassette/header-policy.ts (a body or query field of the same name is as volatile).
 *
 * @example
 * DEFAULT_VOLATILE_FIELDS.includes('request_id'); // true: `{ request_id: 'r-1' }` and `{ request_id: 'r-2' }` match
 */
export const DEFAULT_VOLATILE_FIELDS: readonly string[] = ['timestamp', 'created', 'created_at', 'request_id', 'nonce', 'trace_id', ...VOLATILE_REQUEST_HEADERS];

/** How requests are canonicalized. */
export interface CanonicalOptions {
  /** Lower-case field names to drop; empty for the `exact` matcher. */
  volatile: ReadonlySet<string>;
  /** Compare no headers (false), all non-volatile ones (true), or these lower-case names. */
  matchHeaders: boolean | readonly string[];
}

/**
 * Builds the canonicalization options from configuration.
 *
 * @example
 * const options = canonicalOptions({ ignoreVolatileFields: ['seed'], matchHeaders: false }, false);
 */
export function canonicalOptions(config: { ignoreVolatileFields: readonly string[]; matchHeaders: boolean | readonly string[] }, exact: boolean): CanonicalOptions {
  const volatile = exact ? new Set<string>() : new Set([...DEFAULT_VOLATILE_FIELDS, ...config.ignoreVolatileFields].map((f) => f.toLowerCase()));
  return { volatile, matchHeaders: config.matchHeaders };
}

/**
 * True when a header or field name is volatile under these options.
 *
 * @example
 * isVolatileName('X-Stainless-OS', options); // true
 */
export function isVolatileName(name: string, options: CanonicalOptions): boolean {
  const lower = name.toLowerCase();
  if (options.volatile.has(lower)) return true;
  return options.volatile.size > 0 && isSdkHeader(lower);
}

function dropVolatile(value: Json, options: CanonicalOptions): Json {
  if (options.volatile.size === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => dropVolatile(v, options));
  const out: { [key: string]: Json } = {};
  for (const key of Object.keys(value)) {
    if (!options.volatile.has(key.toLowerCase())) out[key] = dropVolatile(value[key], options);
  }
  return out;
}

/**
 * Normalizes a URL: lower-case scheme and host, default port dropped, query
 * parameters sorted, volatile query parameters removed.
 *
 * @example
 * canonicalUrl('HTTP://Api.x.com:80/v1?b=2&a=1', options); // 'http://api.x.com/v1?a=1&b=2'
 */
export function canonicalUrl(raw: string, options: CanonicalOptions): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw;
  }
  const params = [...url.searchParams.entries()].filter(([k]) => !options.volatile.has(k.toLowerCase()));
  params.sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1));
  const query = params.length ? `?${new URLSearchParams(params).toString()}` : '';
  return `${url.protocol}//${url.host}${url.pathname}${query}`;
}

function canonicalHeaders(headers: Json | undefined, options: CanonicalOptions): { [key: string]: Json } | undefined {
  if (options.matchHeaders === false || !isJsonObject(headers)) return undefined;
  const wanted = Array.isArray(options.matchHeaders) ? new Set(options.matchHeaders) : undefined;
  const out: { [key: string]: Json } = {};
  for (const name of Object.keys(headers).sort()) {
    const lower = name.toLowerCase();
    if (wanted ? !wanted.has(lower) : isVolatileName(lower, options)) continue;
    out[lower] = headers[name];
  }
  return out;
}

/**
 * The canonical form of a stored request of any kind.
 *
 * @example
 * canonicalizeRequest({ method: 'post', url: 'https://x/a?b=1', json: { created: 1, q: 'hi' } }, options);
 * // { method: 'POST', url: 'https://x/a?b=1', json: { q: 'hi' } }
 */
export function canonicalizeRequest(request: { [key: string]: Json }, options: CanonicalOptions): { [key: string]: Json } {
  if (typeof request.method === 'string' && typeof request.url === 'string') {
    const out: { [key: string]: Json } = { method: request.method.toUpperCase(), url: canonicalUrl(request.url, options) };
    for (const body of ['json', 'text', 'body_b64', 'form']) {
      if (request[body] !== undefined) out[body] = body === 'json' || body === 'form' ? dropVolatile(request[body], options) : request[body];
    }
    const headers = canonicalHeaders(request.headers, options);
    if (headers) out.headers = headers;
    return out;
  }
  return dropVolatile(request, options) as { [key: string]: Json };
}

/**
 * JSON with object keys sorted at every level, so equal values give equal text.
 *
 * @example
 * stableStringify({ b: 1, a: [2, { d: 1, c: 0 }] }); // '{"a":[2,{"c":0,"d":1}],"b":1}'
 */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(',')}}`;
}

/**
 * The `match_key` written to a cassette: `sha256:` of the canonical request.
 *
 * @example
 * computeMatchKey(canonical); // 'sha256:9f86d0…'
 */
export function computeMatchKey(canonical: Json): string {
  return `sha256:${createHash('sha256').update(stableStringify(canonical)).digest('hex')}`;
}
