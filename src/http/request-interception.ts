/**
 * Intercepts every HTTP request of the process — global `fetch`, `node:http`,
 * `node:https` and the clients built on them — with `@mswjs/interceptors`, the
 * interception engine nock 14 is built on, and hands each request to a
 * handler. Answering through the engine directly (instead of through nock's
 * playback, which waits on `setImmediate` and `setTimeout(…, 0)` per request)
 * is what makes replay cheaper than a bare nock interceptor: see
 * docs/interception.md for the measurements behind this choice.
 */
import { Readable } from 'node:stream';
import type { WireRequest } from './http-exchange';

// Saved before any interceptor is applied: recording must reach the real
// network through the original fetch.
const originalFetch: typeof fetch = globalThis.fetch;

// Where undici (Node's fetch, the `undici` package, Node's WebSocket) keeps its
// process-wide dispatcher. Its own request APIs bypass every interceptor, so
// while we intercept, this slot holds a guard that refuses them.
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');
type DispatcherSlot = { [GLOBAL_DISPATCHER]?: unknown };

/** Builds the error for a request made through an API that cannot be intercepted. */
export type BlockedRequestReporter = (description: string) => Error;

/** A dispatcher that fails every request it is given, without connecting. */
class BlockingDispatcher {
  constructor(
    public previous: unknown,
    private readonly report: BlockedRequestReporter,
  ) {}

  dispatch(options: { method?: string; origin?: string | URL; path?: string }, handler: { onError?(error: Error): void; onResponseError?(controller: unknown, error: Error): void }): boolean {
    const error = this.report(`${options.method ?? 'GET'} ${String(options.origin ?? '')}${options.path ?? ''}`);
    if (handler.onResponseError) handler.onResponseError(null, error);
    else handler.onError?.(error);
    return true;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  destroy(): Promise<void> {
    return Promise.resolve();
  }

  on(): this {
    return this;
  }

  once(): this {
    return this;
  }

  off(): this {
    return this;
  }

  emit(): boolean {
    return false;
  }
}

/**
 * The fetch that bypasses interception, for performing real requests while recording.
 *
 * @example
 * const response = await realFetch('http://127.0.0.1:8080/');
 */
export function realFetch(input: string | URL, init?: RequestInit): Promise<Response> {
  const slot = globalThis as DispatcherSlot;
  const guard = slot[GLOBAL_DISPATCHER];
  if (!(guard instanceof BlockingDispatcher)) return originalFetch(input, init);
  // Node's fetch reads the global dispatcher synchronously when called: lend it the real one.
  slot[GLOBAL_DISPATCHER] = guard.previous;
  try {
    return originalFetch(input, init);
  } finally {
    guard.previous = slot[GLOBAL_DISPATCHER];
    slot[GLOBAL_DISPATCHER] = guard;
  }
}

/** What a handler answers: a response (whose body may stream). A thrown error reaches the client as a request error. */
export interface HandlerReply {
  status: number;
  headers: Record<string, string | string[]>;
  /** A whole body, a Node stream (a recording passing through) or a web stream (a replayed stream). */
  body: Buffer | Readable | ReadableStream<Uint8Array>;
}

/** Handles one intercepted request. */
export type RequestHandler = (request: WireRequest) => Promise<HandlerReply>;

interface Interceptor {
  apply(): void;
  dispose(): void;
  on(event: 'request', listener: (args: { request: Request; controller: RequestController }) => Promise<void> | void): unknown;
}

interface RequestController {
  respondWith(response: Response): void;
  errorWith(error?: Error): void;
}

// Statuses whose responses carry no body (the Response constructor refuses one).
const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

function toHeaders(headers: Record<string, string | string[]>): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) out.append(name, v);
  }
  return out;
}

function toBodyInit(reply: HandlerReply, method: string): ConstructorParameters<typeof Response>[0] {
  if (NULL_BODY_STATUS.has(reply.status) || method === 'HEAD') return null;
  if (Buffer.isBuffer(reply.body)) return reply.body.length === 0 ? null : new Uint8Array(reply.body.buffer, reply.body.byteOffset, reply.body.byteLength);
  if (reply.body instanceof Readable) return Readable.toWeb(reply.body) as unknown as ReadableStream<Uint8Array>;
  return reply.body;
}

async function toWireRequest(request: Request): Promise<WireRequest> {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const body = request.method === 'GET' || request.method === 'HEAD' ? Buffer.alloc(0) : Buffer.from(await request.arrayBuffer());
  return { method: request.method, url: request.url, headers, body };
}

/**
 * Owns the interceptors of one test file: `activate()` in the environment's
 * setup, `deactivate()` in its teardown.
 *
 * @example
 * const interception = new HttpInterception(async () => ({ status: 200, headers: {}, body: Buffer.from('ok') }));
 * interception.activate();
 */
export class HttpInterception {
  private interceptors: Interceptor[] = [];
  private guards: { slot: DispatcherSlot; guard: BlockingDispatcher }[] = [];

  constructor(
    private readonly handler: RequestHandler,
    /** Builds (and reports) the error for a request through undici's own APIs, which are blocked. */
    private readonly reportBlocked: BlockedRequestReporter = (description) => new Error(`request blocked: ${description}`),
  ) {}

  /**
   * Starts intercepting every request. `sandboxes` are other realms' globals
   * (the Jest sandbox) whose undici dispatcher slot must be guarded too: an
   * `undici` package loaded there reads its own global.
   */
  activate(sandboxes: object[] = []): void {
    if (this.interceptors.length > 0) return;
    // Loaded here, not at import: applying them patches the process.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { ClientRequestInterceptor } = require('@mswjs/interceptors/ClientRequest') as { ClientRequestInterceptor: new () => Interceptor };
    const { FetchInterceptor } = require('@mswjs/interceptors/fetch') as { FetchInterceptor: new () => Interceptor };
    /* eslint-enable @typescript-eslint/no-require-imports */
    const handler = this.handler;
    for (const interceptor of [new ClientRequestInterceptor(), new FetchInterceptor()]) {
      interceptor.on('request', async ({ request, controller }) => {
        let reply: HandlerReply;
        try {
          reply = await handler(await toWireRequest(request));
        } catch (error) {
          controller.errorWith(error as Error);
          return;
        }
        controller.respondWith(new Response(toBodyInit(reply, request.method), { status: reply.status, headers: toHeaders(reply.headers) }));
      });
      interceptor.apply();
      this.interceptors.push(interceptor);
    }
    for (const slot of [globalThis, ...sandboxes] as DispatcherSlot[]) {
      const guard = new BlockingDispatcher(slot[GLOBAL_DISPATCHER], this.reportBlocked);
      slot[GLOBAL_DISPATCHER] = guard;
      this.guards.push({ slot, guard });
    }
  }

  /** Removes the interceptors and restores what they patched. */
  deactivate(): void {
    for (const interceptor of this.interceptors) interceptor.dispose();
    this.interceptors = [];
    for (const { slot, guard } of this.guards) {
      if (slot[GLOBAL_DISPATCHER] !== guard) continue;
      if (guard.previous === undefined) delete slot[GLOBAL_DISPATCHER];
      else slot[GLOBAL_DISPATCHER] = guard.previous;
    }
    this.guards = [];
  }
}
