/**
 * The one place that decides whether two boundary names are the same
 * boundary. An `http` boundary is written as `host[:port]` here and as
 * `scheme://host[:port]` by the Python AgentTape's http adapter; both name the
 * same boundary when matching (docs/python-interop.md). Cassettes are never
 * rewritten: the key is only what boundaries are compared by.
 */
import { isIPv6 } from 'node:net';
import type { InteractionKind } from '../cassette/cassette-schema';

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * The host part of a `scheme://…` boundary the URL parser cannot read: the
 * Python adapter writes an IPv6 host without brackets (`http://::1:8080`).
 * When the last `:group` is decimal and what precedes it is an address, that
 * group is taken for the port, as the adapter only appends a port after the
 * address; otherwise the whole text is the address.
 */
function bracketIPv6(authority: string): string | undefined {
  const colon = authority.lastIndexOf(':');
  const port = authority.slice(colon + 1);
  const address = authority.slice(0, colon);
  if (/^\d{1,5}$/.test(port) && isIPv6(address)) return `[${address}]:${port}`;
  if (isIPv6(authority)) return `[${authority}]`;
  return undefined;
}

/** `URL.host` of `scheme://authority`, or undefined when the parser refuses it. */
function urlHost(scheme: string, authority: string): string | undefined {
  try {
    // URL.host drops the scheme's default port, as the host our recorder writes does
    // (src/http/http-exchange.ts): `http://h:80` and `https://h:443` are both `h`.
    const host = new URL(`${scheme}://${authority}`).host.toLowerCase();
    return host === '' ? undefined : host;
  } catch {
    return undefined;
  }
}

function hostOf(boundary: string): string {
  const scheme = boundary.slice(0, boundary.indexOf('://'));
  // A boundary names a host; anything after it (a path someone wrote by hand) is not part of it.
  const authority = boundary.slice(scheme.length + 3).replace(/[/?#].*$/s, '');
  const ipv6 = urlHost(scheme, authority) === undefined ? bracketIPv6(authority) : undefined;
  return urlHost(scheme, ipv6 ?? authority) ?? (ipv6 ?? authority).toLowerCase();
}

const cache = new Map<string, string>();
const CACHE_LIMIT = 1000;

/**
 * What a boundary is compared by. For `http`, `scheme://host[:port]` and
 * `host[:port]` give the same key: the host, lower-case, with the scheme's
 * default port dropped (so `http://api.x.com:80`, `https://api.x.com` and
 * `api.x.com` are one boundary; the scheme is not part of the key, as it is
 * not part of the boundaries this library writes). Other kinds' boundaries
 * (`llm`, a tool's name) are compared as written.
 *
 * @example
 * boundaryKey('http', 'http://127.0.0.1:8080'); // '127.0.0.1:8080'
 * boundaryKey('http', '127.0.0.1:8080');        // '127.0.0.1:8080'
 * boundaryKey('http', 'https://API.x.com:443'); // 'api.x.com'
 * boundaryKey('tool', 'charge_card');           // 'charge_card'
 */
export function boundaryKey(kind: InteractionKind, boundary: string): string {
  if (kind !== 'http') return boundary;
  if (!SCHEME.test(boundary)) return boundary.toLowerCase();
  let key = cache.get(boundary);
  if (key === undefined) {
    key = hostOf(boundary);
    // A cassette names few hosts; the bound only keeps a pathological one from growing the map.
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(boundary, key);
  }
  return key;
}

/**
 * True when two boundaries of a kind name the same boundary.
 *
 * @example
 * sameBoundary('http', 'http://127.0.0.1:8080', '127.0.0.1:8080'); // true
 */
export function sameBoundary(kind: InteractionKind, a: string, b: string): boolean {
  return a === b || boundaryKey(kind, a) === boundaryKey(kind, b);
}
