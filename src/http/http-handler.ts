/**
 * The HTTP adapter: turns an intercepted request into an engine decision and
 * acts on it — replays the recording, performs the real request and records
 * it as it streams back, or refuses with a precise error.
 */
import { performance } from 'node:perf_hooks';
import * as zlib from 'node:zlib';
import { toStoredMs, type Interaction } from '../cassette/cassette-schema';
import type { Json } from '../json';
import type { AgentTapeConfig } from '../config/config';
import type { CassetteRuntime } from '../engine/cassette-runtime';
import { serve } from '../engine/decide';
import { isSdkHeader } from '../cassette/header-policy';
import { matchKeyOf } from '../engine/match-index';
import type { Tape } from '../engine/tape';
import { classifyUrl, toStoredRequest, toStoredResponse, toWireResponse, type WireRequest } from './http-exchange';
import { UninterceptableRequestError } from '../errors';
import { extractLlmUsage } from './llm-usage';
import type { BlockedRequestReporter, HandlerReply, HeaderMap, RequestHandler, ResponseSink } from './request-handler';
import type { TimedChunk } from './streamed-body';
import { timedBody } from './timed-body';

function isSdkRequest(wire: WireRequest): boolean {
  return Object.keys(wire.headers).some(isSdkHeader);
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

/**
 * Builds the handler the interception calls for every request.
 *
 * @example
 * const interception = new HttpInterception(createHttpHandler(runtime));
 */
export function createHttpHandler(runtime: CassetteRuntime): RequestHandler {
  return async (wire) => {
    // The outermost boundary wins (see docs/boundaries.md): a tool that runs for real makes its requests for real, unrecorded.
    if (runtime.boundaryExecuting?.()) return passThrough(runtime, undefined, undefined);
    const tape = runtime.currentTape();
    const { config, redactor } = runtime;
    const { kind, boundary } = classifyUrl(wire.url, config.llmHosts);
    const request = toStoredRequest(wire, redactor);
    const served = serve(tape, { kind, boundary, request });
    if (served.action === 'replay') {
      const { interaction } = served;
      if (interaction.error) return { networkFailure: replayedError(interaction.error) };
      const { status, headers, body, chunks } = toWireResponse(interaction.response);
      if (!chunks) return { status, headers, body };
      return { status, headers, body: timedBody(chunks, delayScale(config.replayDelays)) };
    }
    if (served.action === 'refuse') {
      const error = runtime.refuse(tape, served.refusal);
      if (isSdkRequest(wire)) return refusalForSdk(error);
      throw error;
    }
    return passThrough(runtime, tape, { kind, boundary, request });
  };
}

type Incoming = { kind: Interaction['kind']; boundary: string; request: { [key: string]: Json } };

/**
 * Lets the request go out through the client's own transport and records the
 * real response on `tape` as the client receives it (unless `tape` is
 * undefined: a request nested in a boundary). See docs/interception.md.
 */
function passThrough(runtime: CassetteRuntime, tape: Tape | undefined, incoming: Incoming | undefined): HandlerReply {
  if (!tape || !incoming) return { passthrough: undefined };
  const { config, redactor } = runtime;
  const started = performance.now();
  // Recorded when the response ends, but placed by when it started, as replay serves it; the cassette is saved only once it is.
  const step = tape.startStep({ awaited: true });
  const base = { ...incoming, match_key: matchKeyOf(incoming.request, config), tags: [] as string[], metadata: {} };
  let status = 0;
  let headers: HeaderMap = {};
  const chunks: TimedChunk[] = [];
  let last = started;
  const sink: ResponseSink = {
    start(code, received) {
      status = code;
      headers = received;
      last = performance.now();
    },
    data(chunk) {
      const now = performance.now();
      chunks.push({ delayMs: now - last, bytes: chunk });
      last = now;
    },
    end() {
      step.finish(() => {
        const body = decodeContent(headers, chunks);
        const wire = { status, headers, body: Buffer.concat(body.map((c) => c.bytes)), chunks: body, contentLength: headers['content-length'] !== undefined };
        const stored = toStoredResponse(wire, redactor, config.redact.placeholder);
        const usage = incoming.kind === 'llm' ? extractLlmUsage(stored) : null;
        return { ...base, response: stored, latency_ms: toStoredMs(performance.now() - started), usage };
      });
    },
    fail(error) {
      // Once the response has started, a failure is the client stopping early (or the connection
      // breaking): what arrived is what the client saw, so that is the recording.
      if (status !== 0) return sink.end();
      step.finish(() => {
        const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
        const code = (error as Error & { code?: string }).code ?? cause?.code;
        const recorded = redactor.redactError({ type: error.name, message: cause?.message ?? error.message, ...(code ? { code } : {}) });
        return { ...base, error: recorded, latency_ms: toStoredMs(performance.now() - started), usage: null };
      });
    },
  };
  return { passthrough: sink };
}

const DECODERS: Record<string, (bytes: Buffer) => Buffer> = {
  gzip: (bytes) => zlib.gunzipSync(bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH }),
  'x-gzip': (bytes) => zlib.gunzipSync(bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH }),
  deflate: (bytes) => (bytes[0] === 0x78 ? zlib.inflateSync(bytes) : zlib.inflateRawSync(bytes)),
  br: (bytes) => zlib.brotliDecompressSync(bytes),
};

/**
 * The body as the client reads it: the cassette stores bodies decoded (and
 * replays them without `content-encoding`), while a response let through
 * arrives as the server encoded it. An encoded body is kept as one chunk.
 */
function decodeContent(headers: HeaderMap, chunks: TimedChunk[]): TimedChunk[] {
  const header = headers['content-encoding'];
  const encodings = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e && e !== 'identity');
  if (encodings.length === 0 || chunks.length === 0) return chunks;
  let bytes: Buffer = Buffer.concat(chunks.map((c) => c.bytes));
  try {
    for (const encoding of encodings.reverse()) {
      const decode = DECODERS[encoding];
      if (!decode) return chunks;
      bytes = decode(bytes);
    }
  } catch {
    return chunks;
  }
  return [{ delayMs: chunks[0].delayMs, bytes }];
}

/** How much of each recorded delay replay waits: none by default. */
function delayScale(replayDelays: AgentTapeConfig['replayDelays']): number {
  if (replayDelays === true) return 1;
  return typeof replayDelays === 'number' ? replayDelays : 0;
}

/**
 * Builds the reporter for requests no cassette can hold (a WebSocket or
 * another connection upgrade, a CONNECT tunnel opened by hand): each is
 * blocked and fails the running test.
 *
 * @example
 * const interception = new HttpInterception(createHttpHandler(runtime), createBlockedRequestReporter(runtime));
 */
export function createBlockedRequestReporter(runtime: CassetteRuntime): BlockedRequestReporter {
  return (description, reason) => {
    const error = new UninterceptableRequestError(
      reason === 'connection'
        ? `AgentTape blocked ${description}: a cassette holds HTTP requests and responses, not a connection kept open (a WebSocket, an upgrade or a CONNECT tunnel). Nothing was sent.\n` +
            'Test that part against a local server started by the test, or wrap the code that uses the connection in tool() so its result is recorded instead.'
        : `AgentTape blocked ${description}: it went through an undici dispatcher AgentTape could not see — one passed to undici.request, stream or pipeline itself, or to a fetch captured before the cassette opened — so it could be neither recorded nor replayed. It was failed before a byte of it was written (undici may already have opened the connection).\n` +
            'Pass the dispatcher to the global fetch (fetch(url, { dispatcher })), or set it with setGlobalDispatcher(), where AgentTape intercepts it.',
    );
    runtime.reportFailure(runtime.currentTape(), error);
    return error;
  };
}
