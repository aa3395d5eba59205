/**
 * The HTTP adapter: turns an intercepted request into an engine decision and
 * acts on it — replays the recording, performs the real request and records
 * it as it streams back, or refuses with a precise error.
 */
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import type { Json } from '../cassette/cassette-format';
import type { AgentTapeConfig } from '../config/config';
import { computeMatchKey, canonicalizeRequest } from '../engine/canonical-request';
import type { CassetteRuntime } from '../engine/cassette-runtime';
import { decide } from '../engine/decide';
import { primaryCanonicalOptions } from '../engine/match-index';
import type { Tape } from '../engine/tape';
import { classifyUrl, toStoredRequest, toStoredResponse, toWireResponse, WIRE_BODY_HEADERS, type WireRequest } from './http-exchange';
import { UninterceptableRequestError } from '../errors';
import { extractLlmUsage } from './llm-usage';
import { realFetch, type HandlerReply, type RequestHandler } from './request-interception';
import type { TimedChunk } from './streamed-body';
import { timedBody } from './timed-body';

/** Request headers not forwarded when performing a real request. */
const HOP_BY_HOP = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade']);

function isSdkRequest(wire: WireRequest): boolean {
  return Object.keys(wire.headers).some((name) => name.toLowerCase().startsWith('x-stainless-'));
}

/**
 * The reply that makes the openai and Anthropic SDKs give up at once on a miss
 * instead of retrying twice with backoff: they honour `x-should-retry: false`.
 * Clients that wrap them keep their own retry loop and look only at the status
 * (LangChain retries anything but 400–407, 409 and 413, six times by default),
 * so the status is a 400, which no client retries.
 */
function refusalForSdk(error: Error & { code: string }): HandlerReply {
  // The full explanation is reported on the test itself; the SDK only needs to stop.
  const message = `AgentTape refused this request (${error.code}); the test reports why: ${error.message.split('\n')[0]}`;
  const body = JSON.stringify({ error: { message, type: 'agenttape_error', code: error.code } });
  return { status: 400, headers: { 'content-type': 'application/json', 'x-should-retry': 'false' }, body: Buffer.from(body) };
}

function replayedError(recorded: { [key: string]: Json | undefined }): Error {
  const error = new Error(String(recorded.message ?? 'recorded request error')) as Error & { code?: string };
  if (typeof recorded.type === 'string') error.name = recorded.type;
  if (typeof recorded.code === 'string') error.code = recorded.code;
  return error;
}

function forwardHeaders(wire: WireRequest): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(wire.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name.toLowerCase())) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}

function responseHeaders(response: Response): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie' && !WIRE_BODY_HEADERS.has(name)) out[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) out['set-cookie'] = cookies;
  return out;
}

/**
 * Builds the handler the interception calls for every request.
 *
 * @example
 * const interception = new HttpInterception(createHttpHandler(runtime));
 */
export function createHttpHandler(runtime: CassetteRuntime): RequestHandler {
  return async (wire) => {
    // The outermost boundary wins (SPEC §7): a tool that runs for real makes its requests for real, unrecorded.
    if (runtime.boundaryExecuting?.()) return recordRequest(runtime, undefined, wire, undefined);
    const tape = runtime.currentTape();
    const { config, redactor } = runtime;
    const { kind, boundary } = classifyUrl(wire.url, config.llmHosts);
    const request = toStoredRequest(wire, redactor);
    const decision = decide(tape, { kind, boundary, request });
    if (decision.action === 'replay') {
      const { interaction } = decision;
      if (interaction.error) throw replayedError(interaction.error);
      const { status, headers, body, chunks } = toWireResponse(interaction.response);
      if (!chunks) return { status, headers, body };
      return { status, headers, body: timedBody(chunks, delayScale(config.replayDelays)) };
    }
    if (decision.action === 'refuse') {
      runtime.reportFailure(tape, decision.error);
      if (isSdkRequest(wire)) return refusalForSdk(decision.error);
      throw decision.error;
    }
    return recordRequest(runtime, tape, wire, { kind, boundary, request });
  };
}

/** Performs the real request; records it on `tape` unless it is undefined (a request nested in a boundary). */
async function recordRequest(
  runtime: CassetteRuntime,
  tape: Tape | undefined,
  wire: WireRequest,
  incoming: { kind: 'http' | 'llm' | 'tool' | 'retrieval' | 'memory_read' | 'memory_write'; boundary: string; request: { [key: string]: Json } } | undefined,
): Promise<HandlerReply> {
  const { config, redactor } = runtime;
  const started = performance.now();
  // Recorded when the response ends, but placed by when it started, as replay serves it.
  const order = tape?.begin();
  const matchKey = incoming ? computeMatchKey(canonicalizeRequest(incoming.request, primaryCanonicalOptions(config))) : '';
  const base = { match_key: matchKey, tags: [] as string[], metadata: {} };
  let response: Response;
  try {
    const hasBody = wire.body.length > 0 && wire.method !== 'GET' && wire.method !== 'HEAD';
    response = await realFetch(wire.url, { method: wire.method, headers: forwardHeaders(wire), body: hasBody ? wire.body : undefined, redirect: 'manual' });
  } catch (caught) {
    const error = caught as Error & { cause?: { code?: string; message?: string } };
    const cause = error.cause;
    const recorded = redactor.redactError({ type: error.name, message: cause?.message ?? error.message, ...(cause?.code ? { code: cause.code } : {}) });
    if (tape && incoming) tape.record({ ...base, ...incoming, error: recorded, latency_ms: round(performance.now() - started), usage: null }, 'recorded', order);
    throw replayedError(recorded);
  }
  const headers = responseHeaders(response);
  const chunks: TimedChunk[] = [];
  const body = new Readable({ read() {} });
  const finish = () => {
    if (!tape || !incoming) return;
    const wireResponse = {
      status: response.status,
      headers,
      body: Buffer.concat(chunks.map((c) => c.bytes)),
      chunks,
      contentLength: response.headers.has('content-length'),
    };
    const stored = toStoredResponse(wireResponse, redactor, config.redact.placeholder);
    const usage = incoming.kind === 'llm' ? extractLlmUsage(stored) : null;
    tape.record({ ...base, ...incoming, response: stored, latency_ms: round(performance.now() - started), usage }, 'recorded', order);
  };
  // Pump as the server sends, so a streaming client still streams while we record.
  const pump = (async () => {
    if (response.body) {
      const reader = response.body.getReader();
      let last = performance.now();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const now = performance.now();
        const chunk = Buffer.from(value);
        chunks.push({ delayMs: now - last, bytes: chunk });
        last = now;
        body.push(chunk);
      }
    }
    finish();
    body.push(null);
  })().catch((error: Error) => {
    body.destroy(error);
  });
  // Tracked so the cassette is saved only once the whole body is recorded, even if the client never reads it.
  tape?.track(pump);
  return { status: response.status, headers, body };
}

/** How much of each recorded delay replay waits: none by default. */
function delayScale(replayDelays: AgentTapeConfig['replayDelays']): number {
  if (replayDelays === true) return 1;
  return typeof replayDelays === 'number' ? replayDelays : 0;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/**
 * Builds the reporter for requests made through undici's own APIs, which
 * bypass interception: each is blocked and fails the running test.
 *
 * @example
 * const interception = new HttpInterception(createHttpHandler(runtime), createBlockedRequestReporter(runtime));
 */
export function createBlockedRequestReporter(runtime: CassetteRuntime): (description: string) => Error {
  return (description) => {
    const error = new UninterceptableRequestError(
      `AgentTape blocked ${description}: it was made through undici's own API (undici.request, stream, pipeline, an undici Agent or WebSocket), ` +
        'which AgentTape cannot record or replay. Nothing was sent.\n' +
        'Use global fetch, node:http/https, or a client built on them (axios, the openai and Anthropic SDKs).',
    );
    runtime.reportFailure(runtime.currentTape(), error);
    return error;
  };
}
