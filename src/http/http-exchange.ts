/**
 * Converts HTTP requests and responses between the wire and the cassette:
 * bodies decoded and stored as `json`, `text` or `body_b64`; secret headers
 * never stored; volatile and transport headers left out of requests.
 */
import type { Interaction } from '../cassette/cassette-schema';
import type { Json } from '../json';
import type { AgentTapeConfig } from '../config/config';
import type { Redactor } from '../redact/redactor';
import equal from 'fast-deep-equal';
import { decodeBody, encodeRequestBody, encodeResponseBody, normalizeMultipart } from './body-codec';
import { CONNECTION_RESPONSE_HEADERS, isUnrecordedRequestHeader, WIRE_BODY_HEADERS } from '../cassette/header-policy';
import { decodeStreamedBody, encodeStreamedBody, isStreamedBody, type TimedChunk } from './streamed-body';

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
  /** The body as it arrived, chunk by chunk with delays; on replay, present when it is to be streamed. */
  chunks?: TimedChunk[];
  /** Whether the response declared its length (a body without one was streamed). */
  contentLength?: boolean;
}

/** Hosts of LLM APIs whose requests are `kind: llm` (see docs/format.md). */
const KNOWN_LLM_HOSTS = [
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

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

/**
 * Headers under lower-case names, the absent ones left out.
 *
 * @example
 * lowerHeaders({ 'Content-Type': 'text/plain', 'X-A': undefined }); // { 'content-type': 'text/plain' }
 */
export function lowerHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

/**
 * Adds values under a header name after the ones already there: one value
 * stays a string, a repeated header becomes a list, as Node gives them.
 *
 * @example
 * const headers = { 'set-cookie': 'a=1' };
 * appendHeader(headers, 'set-cookie', ['b=2']); // headers['set-cookie'] is ['a=1', 'b=2']
 */
export function appendHeader(headers: Record<string, string | string[]>, name: string, values: string[]): void {
  if (values.length === 0) return;
  const previous = headers[name];
  headers[name] = previous === undefined ? (values.length === 1 ? values[0] : values) : [...(Array.isArray(previous) ? previous : [previous]), ...values];
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
    if (isUnrecordedRequestHeader(name)) continue;
    if (redactor.isSecretName(name)) continue;
    const text = name === 'content-type' && !Array.isArray(value) ? normalizeMultipart(Buffer.alloc(0), value).contentType : value;
    headers[name] = Array.isArray(text) ? text.map((v) => redactor.redactString(v)) : redactor.redactString(text);
  }
  const contentType = headerValue(wire.headers, 'content-type');
  const body = redactor.redactValue(encodeRequestBody(wire.body, contentType)) as { [key: string]: Json };
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
  const contentType = headerValue(wire.headers, 'content-type');
  const chunks = wire.chunks ?? [{ delayMs: 0, bytes: wire.body }];
  const streamed = isStreamedBody(contentType, { contentLength: wire.contentLength ?? true, chunkCount: chunks.length });
  const encoded = streamed ? encodeStreamedBody(chunks, contentType) : encodeResponseBody(wire.body, contentType);
  const body = redactor.redactValue(encoded) as { [key: string]: Json };
  // The verbatim copy would bring back what redaction removed from the readable body.
  if (body.raw_b64 !== undefined && !equal(body.json, encoded.json)) delete body.raw_b64;
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
  const chunks = decodeStreamedBody(response);
  // A stream replayed as a single chunk (as a whole body recorded at once is) needs no second copy.
  const body = chunks ? (chunks.length === 1 ? chunks[0].bytes : Buffer.concat(chunks.map((c) => c.bytes))) : decodeBody(response);
  return { status: Number(response.status_code), headers, body, ...(chunks ? { chunks } : {}) };
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
