/**
 * The one table of what AgentTape does with each HTTP header: which request
 * headers are left out of a recording (transport, volatile), which never
 * decide a match (volatile), which carry credentials, and which response
 * headers describe the recording's wire rather than the response. The
 * recorder (src/http/http-exchange.ts), the canonical form requests are
 * matched in (src/engine/canonical-request.ts) and redaction
 * (src/redact/secret-detector.ts) all read it here, so a header is treated the same
 * way when it is stored, compared and scanned (docs/format.md, "Matching";
 * docs/redaction.md, "What is redacted"). Names are lower-case.
 */

/**
 * Request headers that describe the connection or the client, not the
 * request: never stored, as replay answers without a connection.
 *
 * @example
 * TRANSPORT_REQUEST_HEADERS.has('accept-encoding'); // true
 */
const TRANSPORT_REQUEST_HEADERS: ReadonlySet<string> = new Set(['host', 'content-length', 'connection', 'accept-encoding', 'transfer-encoding', 'keep-alive']);

/**
 * Request headers that change on every call or with the client's version:
 * never stored, and never compared by the default matcher. `tracestate`
 * travels with `traceparent` (W3C Trace Context) and is as volatile.
 *
 * @example
 * VOLATILE_REQUEST_HEADERS.includes('traceparent'); // true
 */
export const VOLATILE_REQUEST_HEADERS: readonly string[] = ['user-agent', 'date', 'x-request-id', 'idempotency-key', 'traceparent', 'tracestate'];

/**
 * True when a request header is one the openai and Anthropic SDKs send about
 * themselves (`x-stainless-os`, `x-stainless-retry-count`…). Such headers vary
 * per SDK version, OS or retry, so they are volatile like the names above; and
 * they mark a request as made by one of those SDKs (src/http/http-handler.ts
 * answers a refused one so that it does not retry; docs/interception.md).
 * Case-insensitive.
 *
 * @example
 * isSdkHeader('X-Stainless-Retry-Count'); // true
 * isSdkHeader('x-tenant');                // false
 */
export function isSdkHeader(name: string): boolean {
  return name.toLowerCase().startsWith('x-stainless-');
}

/**
 * True when a request header is left out of the recording: transport and
 * volatile headers. (Credential headers are left out too, by the redactor's
 * rule, since `redact.names` can add to them.)
 *
 * @example
 * isUnrecordedRequestHeader('user-agent'); // true
 * isUnrecordedRequestHeader('content-type'); // false
 */
export function isUnrecordedRequestHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return TRANSPORT_REQUEST_HEADERS.has(lower) || VOLATILE_REQUEST_HEADERS.includes(lower) || isSdkHeader(lower);
}

/**
 * Headers that carry credentials, or quote them back (challenges). A request
 * header named here is never stored; a response header keeps its name with
 * the placeholder. The secret-name list of redaction starts with these.
 *
 * @example
 * CREDENTIAL_HEADERS.includes('authorization'); // true
 */
export const CREDENTIAL_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  // Challenges often quote the rejected credential back.
  'www-authenticate',
  'proxy-authenticate',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'openai-api-key',
  'anthropic-api-key',
  'x-auth-token',
  'x-access-token',
  'x-amz-security-token',
  'x-csrf-token',
  'x-xsrf-token',
  'cookie',
  'set-cookie',
];

/**
 * Headers describing the wire form of a body that is stored decoded: left
 * out of a recorded response and of a replayed one.
 *
 * @example
 * WIRE_BODY_HEADERS.has('content-encoding'); // true
 */
export const WIRE_BODY_HEADERS: ReadonlySet<string> = new Set(['content-encoding', 'content-length', 'transfer-encoding']);

/**
 * Response headers about the recording connection, meaningless on replay.
 *
 * @example
 * CONNECTION_RESPONSE_HEADERS.has('keep-alive'); // true
 */
export const CONNECTION_RESPONSE_HEADERS: ReadonlySet<string> = new Set(['connection', 'keep-alive']);
