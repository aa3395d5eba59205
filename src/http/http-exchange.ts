/**
 * Converts HTTP requests and responses between the wire and the cassette:
 * bodies decoded and stored as `json`, `text` or `body_b64`; secret headers
 * never stored; volatile and transport headers left out of requests.
 */
import type { Interaction, Json } from '../cassette/cassette-format';
import type { AgentTapeConfig } from '../config/config';
import type { Redactor } from '../redact/redactor';

/** A request as intercepted. */
export interface WireRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A complete response, as recorded or replayed. */
export interface WireResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** Request headers that describe the connection or the client, not the request. */
const TRANSPORT_REQUEST_HEADERS = new Set(['host', 'content-length', 'connection', 'accept-encoding', 'transfer-encoding', 'keep-alive']);
/** Headers describing the wire form of a body that is stored decoded. */
export const WIRE_BODY_HEADERS = new Set(['content-encoding', 'content-length', 'transfer-encoding']);
/** Response headers about the recording connection, meaningless on replay. */
const CONNECTION_RESPONSE_HEADERS = new Set(['connection', 'keep-alive']);
/** Request headers that change on every call or with the client's version. */
const VOLATILE_REQUEST_HEADERS = new Set(['user-agent', 'date', 'x-request-id', 'idempotency-key', 'traceparent', 'tracestate']);

/** Hosts of LLM APIs whose requests are `kind: llm` (SPEC §4). */
export const KNOWN_LLM_HOSTS = [
  'api.openai.com',
  '*.openai.azure.com',
  'api.anthropic.com',
  'generativelanguage.googleapis.com',
  'api.mistral.ai',
  'api.groq.com',
  'openrouter.ai',
  'api.together.xyz',
  'api.together.ai',
  'api.fireworks.ai',
  'api.deepseek.com',
];

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeText(body: Buffer): string | undefined {
  try {
    return utf8.decode(body);
  } catch {
    return undefined;
  }
}

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

const BINARY_TYPES = /^(image|audio|video|font)\/|application\/(octet-stream|pdf|zip|gzip|x-protobuf|protobuf|grpc)|multipart\//i;

/**
 * Stores a body as parsed JSON, text, or base64 (the first that fits).
 *
 * @example
 * encodeBody(Buffer.from('{"a":1}'), 'application/json'); // { json: { a: 1 } }
 */
export function encodeBody(body: Buffer, contentType: string): { [key: string]: Json } {
  if (body.length === 0) return {};
  const text = BINARY_TYPES.test(contentType) && !/^multipart\//i.test(contentType) ? undefined : decodeText(body);
  if (text === undefined) return { body_b64: body.toString('base64') };
  if (/json/i.test(contentType) || /^\s*[[{]/.test(text)) {
    try {
      return { json: JSON.parse(text) as Json };
    } catch {
      // Not JSON after all: keep it as text.
    }
  }
  return { text };
}

/**
 * Stores a URL-encoded form body as `form` (repeated keys become a list), the
 * shape the Python AgentTape writes, so its recordings of form posts match here.
 *
 * @example
 * encodeForm(Buffer.from('a=1&b=2&b=3')); // { form: { a: '1', b: ['2', '3'] } }
 */
export function encodeForm(body: Buffer): { [key: string]: Json } {
  const form: { [key: string]: Json } = {};
  for (const [key, value] of new URLSearchParams(body.toString('utf8'))) {
    const existing = form[key];
    form[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return { form };
}

/**
 * The bytes of a stored body.
 *
 * @example
 * decodeBody({ json: { a: 1 } }).toString(); // '{"a":1}'
 */
export function decodeBody(stored: { [key: string]: Json | undefined }): Buffer {
  if (stored.json !== undefined) return Buffer.from(JSON.stringify(stored.json));
  if (typeof stored.text === 'string') return Buffer.from(stored.text);
  if (typeof stored.body_b64 === 'string') return Buffer.from(stored.body_b64, 'base64');
  return Buffer.alloc(0);
}

function lowerHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

/**
 * The cassette form of an intercepted request, redacted.
 *
 * @example
 * const stored = toStoredRequest(wire, redactor);
 */
export function toStoredRequest(wire: WireRequest, redactor: Redactor): { [key: string]: Json } {
  const headers: { [key: string]: Json } = {};
  for (const [name, value] of Object.entries(lowerHeaders(wire.headers))) {
    if (TRANSPORT_REQUEST_HEADERS.has(name) || VOLATILE_REQUEST_HEADERS.has(name) || name.startsWith('x-stainless-')) continue;
    if (redactor.isSecretName(name)) continue;
    headers[name] = Array.isArray(value) ? value.map((v) => redactor.redactString(v)) : redactor.redactString(value);
  }
  const contentType = headerValue(wire.headers, 'content-type');
  const encoded = /^application\/x-www-form-urlencoded/i.test(contentType) && wire.body.length > 0 ? encodeForm(wire.body) : encodeBody(wire.body, contentType);
  const body = redactor.redactValue(encoded) as { [key: string]: Json };
  return { method: wire.method.toUpperCase(), url: redactor.redactString(wire.url), headers, ...body };
}

/**
 * The cassette form of a response, redacted.
 *
 * @example
 * const stored = toStoredResponse({ status: 200, headers, body }, redactor);
 */
export function toStoredResponse(wire: WireResponse, redactor: Redactor, placeholder: string): { [key: string]: Json } {
  const headers: { [key: string]: Json } = {};
  for (const [name, value] of Object.entries(lowerHeaders(wire.headers))) {
    if (WIRE_BODY_HEADERS.has(name) || CONNECTION_RESPONSE_HEADERS.has(name)) continue;
    if (redactor.isSecretName(name)) headers[name] = placeholder;
    else headers[name] = Array.isArray(value) ? value.map((v) => redactor.redactString(v)) : redactor.redactString(value);
  }
  const body = redactor.redactValue(encodeBody(wire.body, headerValue(wire.headers, 'content-type'))) as { [key: string]: Json };
  return { status_code: wire.status, headers, ...body };
}

/**
 * The response a client receives on replay.
 *
 * @example
 * const { status, headers, body } = toWireResponse(interaction.response);
 */
export function toWireResponse(stored: Json | undefined): WireResponse {
  const response = (stored ?? {}) as { [key: string]: Json };
  const headers: Record<string, string | string[]> = {};
  const recorded = (response.headers ?? {}) as { [key: string]: Json };
  for (const [name, value] of Object.entries(recorded)) {
    if (WIRE_BODY_HEADERS.has(name.toLowerCase())) continue;
    headers[name] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return { status: Number(response.status_code), headers, body: decodeBody(response) };
}

function hostMatches(pattern: string, host: string, hostname: string): boolean {
  if (pattern.startsWith('*.')) return hostname.endsWith(pattern.slice(1));
  return pattern === host || pattern === hostname;
}

/**
 * Classifies a request: LLM APIs are `kind: llm, boundary: llm`; other hosts
 * are `kind: http` with the host as boundary.
 *
 * @example
 * classifyUrl('https://api.openai.com/v1/chat/completions', []); // { kind: 'llm', boundary: 'llm' }
 */
export function classifyUrl(url: string, llmHosts: AgentTapeConfig['llmHosts']): { kind: Interaction['kind']; boundary: string } {
  let host = '';
  let hostname = '';
  try {
    const parsed = new URL(url);
    host = parsed.host.toLowerCase();
    hostname = parsed.hostname.toLowerCase();
  } catch {
    return { kind: 'http', boundary: 'unknown' };
  }
  const patterns = [...KNOWN_LLM_HOSTS, ...llmHosts];
  if (patterns.some((p) => hostMatches(p, host, hostname))) return { kind: 'llm', boundary: 'llm' };
  return { kind: 'http', boundary: host };
}

/**
 * Token usage reported in a response body, if any (OpenAI and Anthropic shapes).
 *
 * @example
 * extractUsage({ json: { usage: { prompt_tokens: 9 } } }); // { prompt_tokens: 9 }
 */
export function extractUsage(storedResponse: { [key: string]: Json }): { [key: string]: Json } | null {
  const json = storedResponse.json;
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    const usage = (json as { [key: string]: Json }).usage;
    if (usage && typeof usage === 'object' && !Array.isArray(usage)) return usage as { [key: string]: Json };
  }
  return null;
}
