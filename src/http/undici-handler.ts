/**
 * Speaks undici's dispatch-handler protocol, the layer Node's `fetch` and the
 * `undici` package send through: answers a handler with a replayed response,
 * and wraps a handler so a real response reaches both the client and a
 * recorder. Both protocols undici has used are served — the callbacks of
 * undici 6 (`onConnect`, `onHeaders`, `onData`, `onComplete`, `onError`,
 * Node 20's fetch) and the controller callbacks of undici 7
 * (`onRequestStart`, `onResponseStart`, …) — chosen by what the handler has.
 * See docs/interception.md.
 */
import { STATUS_CODES } from 'node:http';
import { appendHeader, lowerHeaders } from './http-exchange';
import type { HeaderMap, ResponseSink } from './request-handler';

/** A response to hand to a client: a whole body, or a web stream of chunks. */
export interface ReplayedResponse {
  status: number;
  headers: HeaderMap;
  body: Buffer | ReadableStream<Uint8Array> | null;
}

/** What undici 7 hands each controller callback: the flow control of one dispatch. */
interface DispatchController {
  abort(reason?: Error): void;
  pause(): void;
  resume(): void;
  readonly aborted: boolean;
  readonly paused: boolean;
  readonly reason: Error | null;
}

/** The methods of a dispatch handler, in either protocol (all optional: each side implements a subset). */
export interface DispatchHandler {
  onConnect?(abort: (reason?: Error) => void, context?: object): void;
  onResponseStarted?(): void;
  onHeaders?(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean | void;
  onData?(chunk: Buffer): boolean | void;
  onComplete?(trailers: Buffer[] | null): void;
  onError?(error: Error): void;
  onUpgrade?(status: number, rawHeaders: Buffer[], socket: unknown): void;
  onBodySent?(chunk: unknown): void;
  onRequestSent?(): void;
  onRequestStart?(controller: DispatchController, context: object): void;
  onResponseStart?(controller: DispatchController, status: number, headers: HeaderMap, statusText?: string): void;
  onResponseData?(controller: DispatchController, chunk: Buffer): void;
  onResponseEnd?(controller: DispatchController, trailers: HeaderMap): void;
  onResponseError?(controller: DispatchController, error: Error): void;
  onRequestUpgrade?(controller: DispatchController, status: number, headers: HeaderMap, socket: unknown): void;
}

function usesControllers(handler: DispatchHandler): boolean {
  return typeof handler.onRequestStart === 'function' || typeof handler.onResponseStart === 'function';
}

/**
 * The raw header list of undici 6 (`[name, value, name, value…]` as Buffers) as a map.
 *
 * @example
 * headersFromRaw([Buffer.from('a'), Buffer.from('1')]); // { a: '1' }
 */
export function headersFromRaw(raw: (Buffer | string | (Buffer | string)[])[] | null | undefined): HeaderMap {
  const out: HeaderMap = {};
  if (!raw) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toString().toLowerCase();
    appendHeader(out, name, Array.isArray(raw[i + 1]) ? (raw[i + 1] as (Buffer | string)[]).map(String) : [raw[i + 1].toString()]);
  }
  return out;
}

function rawFromHeaders(headers: HeaderMap): Buffer[] {
  const raw: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) raw.push(Buffer.from(name, 'latin1'), Buffer.from(v, 'latin1'));
  }
  return raw;
}

/** Flow control shared by both protocols: abort, pause and resume as the client asks. */
class ReplayFlow {
  aborted: Error | null = null;
  paused = false;
  private wake: (() => void) | undefined;

  abort = (reason?: Error): void => {
    if (this.aborted) return;
    this.aborted = reason ?? new Error('The request was aborted');
    this.resume();
  };

  pause = (): void => {
    this.paused = true;
  };

  resume = (): void => {
    this.paused = false;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  };

  /** Waits while the client has paused the body. */
  async ready(): Promise<void> {
    while (this.paused && !this.aborted) await new Promise<void>((resolve) => (this.wake = resolve));
  }
}

/**
 * Answers a dispatch handler with a response, chunk by chunk, honouring the
 * client's pause, resume and abort; never calls it again after it ends or errs.
 *
 * @example
 * await replayToHandler(handler, { status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from('ok') });
 */
export async function replayToHandler(handler: DispatchHandler, response: ReplayedResponse): Promise<void> {
  const flow = new ReplayFlow();
  const modern = usesControllers(handler);
  const controller = {
    abort: flow.abort,
    pause: flow.pause,
    resume: flow.resume,
    get aborted() {
      return flow.aborted !== null;
    },
    get paused() {
      return flow.paused;
    },
    get reason() {
      return flow.aborted;
    },
  };
  const fail = (error: Error) => (modern ? handler.onResponseError?.(controller, error) : handler.onError?.(error));
  if (modern) handler.onRequestStart?.(controller, {});
  else handler.onConnect?.(flow.abort, {});
  if (flow.aborted) return void fail(flow.aborted);
  const statusText = STATUS_CODES[response.status] ?? '';
  if (modern) {
    handler.onResponseStart?.(controller, response.status, lowerHeaders(response.headers), statusText);
  } else {
    handler.onResponseStarted?.();
    if (handler.onHeaders?.(response.status, rawFromHeaders(response.headers), flow.resume, statusText) === false) flow.pause();
  }
  const deliver = (chunk: Buffer) => {
    if (modern) handler.onResponseData?.(controller, chunk);
    else if (handler.onData?.(chunk) === false) flow.pause();
  };
  const { body } = response;
  if (body && !Buffer.isBuffer(body)) {
    const reader = body.getReader();
    try {
      for (;;) {
        await flow.ready();
        if (flow.aborted) break;
        const { done, value } = await reader.read();
        if (done) break;
        if (flow.aborted) break;
        deliver(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
        // Let the client read this chunk before the next: undici joins what arrives in one turn.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      if (!flow.aborted) return void fail(error as Error);
    } finally {
      if (flow.aborted) void reader.cancel(flow.aborted).catch(() => undefined);
    }
  } else if (body && body.length > 0) {
    await flow.ready();
    if (!flow.aborted) deliver(body);
  }
  if (flow.aborted) return void fail(flow.aborted);
  if (modern) handler.onResponseEnd?.(controller, {});
  else handler.onComplete?.([]);
}

/**
 * Fails a dispatch handler before any response, as a refused connection would.
 *
 * @example
 * failHandler(handler, new Error('refused'));
 */
export function failHandler(handler: DispatchHandler, error: Error): void {
  if (usesControllers(handler)) {
    const controller = { abort() {}, pause() {}, resume() {}, aborted: false, paused: false, reason: null };
    handler.onRequestStart?.(controller, {});
    handler.onResponseError?.(controller, error);
  } else {
    handler.onConnect?.(() => undefined, {});
    handler.onError?.(error);
  }
}

const PASSED_AS_IS = ['onConnect', 'onResponseStarted', 'onUpgrade', 'onBodySent', 'onRequestSent', 'onRequestStart', 'onRequestUpgrade'] as const;

/**
 * Wraps a dispatch handler so the real response it receives is also copied
 * to `sink` as it arrives: the client still streams at the server's pace.
 * The wrapper has the methods the handler has, of either protocol (a
 * dispatcher calls one protocol's), and each call goes to the handler itself
 * (its methods may use private fields).
 *
 * @example
 * realDispatcher.dispatch(options, teeHandler(handler, sink));
 */
export function teeHandler(handler: DispatchHandler, sink: ResponseSink): DispatchHandler {
  const tee: DispatchHandler = {};
  const call = handler as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of PASSED_AS_IS) {
    if (typeof call[name] === 'function') (tee as Record<string, unknown>)[name] = (...args: unknown[]) => call[name].apply(handler, args);
  }
  if (usesControllers(handler)) {
    tee.onResponseStart = (controller, status, headers, statusText) => {
      sink.start(status, lowerHeaders(headers));
      return handler.onResponseStart?.(controller, status, headers, statusText);
    };
    tee.onResponseData = (controller, chunk) => {
      sink.data(Buffer.from(chunk));
      return handler.onResponseData?.(controller, chunk);
    };
    tee.onResponseEnd = (controller, trailers) => {
      sink.end();
      return handler.onResponseEnd?.(controller, trailers);
    };
    tee.onResponseError = (controller, error) => {
      sink.fail(error);
      return handler.onResponseError?.(controller, error);
    };
  }
  if (typeof handler.onHeaders === 'function' || !usesControllers(handler)) {
    tee.onHeaders = (status, rawHeaders, resume, statusText) => {
      sink.start(status, headersFromRaw(rawHeaders));
      return handler.onHeaders?.(status, rawHeaders, resume, statusText);
    };
    tee.onData = (chunk) => {
      sink.data(Buffer.from(chunk));
      return handler.onData?.(chunk);
    };
    tee.onComplete = (trailers) => {
      sink.end();
      return handler.onComplete?.(trailers);
    };
    tee.onError = (error) => {
      sink.fail(error);
      return handler.onError?.(error);
    };
  }
  return tee;
}
