/**
 * Intercepts every HTTP request of the process where Node really sends it and
 * hands each to one handler: `node:http`/`node:https` (and axios, and every
 * client on them) through `@mswjs/interceptors`, the engine nock 14 is built
 * on; Node's `fetch` and the `undici` package at undici's dispatcher
 * ({@link UndiciInterception}), so a client that captured `fetch` before the
 * cassette opened is seen too. A request the handler lets through goes out
 * through the client's own transport, and its real response is copied to a
 * recorder as the client receives it. A test's own nock or msw mocks answer
 * first. See docs/interception.md for the design and its measurements.
 */
import http from 'node:http';
import https from 'node:https';
import type { WireRequest } from './http-exchange';
import { removeLateRequestGuard } from './late-request-guard';
import { hasNoBody, isNetworkFailure, isPassThrough, type BlockedRequestReporter, type RequestHandler, type ResponseSink } from './request-handler';
import { headersFromRaw } from './undici-handler';
import { UndiciInterception } from './undici-interception';

export type { BlockedRequestReporter, HandlerReply, RequestHandler } from './request-handler';

interface RequestController {
  respondWith(response: Response): void;
  errorWith(error?: Error): void;
}

interface ClientRequestInterceptor {
  apply(): void;
  dispose(): void;
  on(event: 'request', listener: (args: { request: Request; requestId: string; controller: RequestController }) => Promise<void> | void): unknown;
  on(event: 'response', listener: (args: { request: Request; requestId: string; response: Response; isMockedResponse: boolean }) => Promise<void> | void): unknown;
}

/** The functions a library patches to intercept `node:http`: while ours are outermost, ours are consulted last. */
function httpPatchPoints(): unknown[] {
  return [http.request, http.get, http.ClientRequest, https.request, https.get];
}

/**
 * Our interceptor hands the function below it options made by Node's
 * `urlToHttpOptions`, which have no prototype; an `@mswjs/interceptors`
 * patch below ours (nock's, msw's) cannot clone those. Give it a plain copy.
 */
function withPlainOptions(patched: unknown): unknown {
  const plain = (args: unknown[]) => args.map((arg) => (arg !== null && typeof arg === 'object' && Object.getPrototypeOf(arg) === null ? { ...arg } : arg));
  return new Proxy(patched as (...args: unknown[]) => unknown, {
    apply: (target, thisArg, args: unknown[]) => Reflect.apply(target, thisArg, plain(args)),
    construct: (target, args: unknown[]) => Reflect.construct(target as unknown as new (...args: unknown[]) => object, plain(args)),
  });
}

async function toWireRequest(request: Request): Promise<WireRequest> {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const body = request.method === 'GET' || request.method === 'HEAD' ? Buffer.alloc(0) : Buffer.from(await request.arrayBuffer());
  return { method: request.method, url: request.url, headers, body };
}

function toHeaders(headers: Record<string, string | string[]>): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) out.append(name, v);
  }
  return out;
}

function responseHeaders(response: Response): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') out[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) out['set-cookie'] = cookies;
  return out;
}

/**
 * The client's agent when it opens its connections itself, asynchronously
 * (`agent-base`: `https-proxy-agent`, `socks-proxy-agent`, …). The
 * interceptors' passthrough asks an agent for a socket synchronously, which
 * such an agent cannot give (a known limitation of @mswjs/interceptors): it throws, or is passed
 * over and the proxy silently skipped. The interceptor keeps the client's own
 * agent as `customAgent` of the agent it puts in its place.
 */
function connectingAgent(raw: http.ClientRequest | undefined): http.Agent | undefined {
  const agent = (raw as { agent?: { customAgent?: unknown } } | undefined)?.agent?.customAgent as { connect?: unknown; callback?: unknown } | undefined;
  return agent && (typeof agent.connect === 'function' || typeof agent.callback === 'function') ? (agent as http.Agent) : undefined;
}

/** Request headers Node sets itself for the body and connection it sends. */
const SENT_BY_NODE = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);

/**
 * Sends a request through the client's own connecting agent (a proxy) with
 * the function below our interceptor, and answers the intercepted request
 * with the response as it streams in, copying it to the sink.
 */
function sendThroughAgent(send: typeof http.request, agent: http.Agent, wire: WireRequest, sink: ResponseSink | undefined, controller: RequestController): Promise<void> {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(wire.headers)) if (value !== undefined && !SENT_BY_NODE.has(name.toLowerCase())) headers[name] = value;
  return new Promise((answered) => {
    const outgoing = send(wire.url, { method: wire.method, headers, agent }, (response) => {
      const received = headersFromRaw(response.rawHeaders);
      const status = response.statusCode ?? 0;
      sink?.start(status, received);
      const body = new ReadableStream<Uint8Array>({
        start(stream) {
          response.on('data', (chunk: Buffer) => {
            sink?.data(chunk);
            stream.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          });
          response.on('end', () => {
            sink?.end();
            stream.close();
          });
          response.on('error', (error) => {
            sink?.fail(error);
            stream.error(error);
          });
        },
        cancel: () => void response.destroy(),
      });
      const empty = hasNoBody(status, wire.method);
      controller.respondWith(new Response(empty ? null : body, { status, headers: toHeaders(received) }));
      answered();
    });
    outgoing.on('error', (error) => {
      sink?.fail(error);
      controller.errorWith(error);
      answered();
    });
    outgoing.end(wire.body.length > 0 ? wire.body : undefined);
  });
}

/** A `node:http` request let through, waiting for its response to be copied to the sink. */
interface PendingPassThrough {
  sink: ResponseSink;
  raw: http.ClientRequest | undefined;
}

/** Copies a passed-through `node:http` response body to the sink in the background, as it arrives. */
async function copyBody(response: Response, pending: PendingPassThrough): Promise<void> {
  const { sink, raw } = pending;
  if (!response.body) return sink.end();
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  // A client that stops reading mid-stream never lets the copy end: keep what arrived.
  const stop = () => void reader.cancel().catch(() => undefined);
  raw?.once('close', stop);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      sink.data(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    }
  } catch {
    // The connection broke mid-body: what arrived is what the client saw.
  } finally {
    raw?.off('close', stop);
    sink.end();
  }
}

/**
 * Owns the interception of one test file (or one `useCassette`):
 * `activate()` in `CassetteSession.open()`, `deactivate()` in its `close()`.
 *
 * @example
 * const interception = new HttpInterception(async () => ({ status: 200, headers: {}, body: Buffer.from('ok') }));
 * interception.activate();
 */
export class HttpInterception {
  private nodeHttp: ClientRequestInterceptor | undefined;
  /** The patched functions as our interceptor left them: when they differ, another library patched after us. */
  private ownPatches: unknown[] = [];
  private readonly undici: UndiciInterception;
  private readonly pending = new Map<string, PendingPassThrough>();

  constructor(
    private readonly handler: RequestHandler,
    /** Builds (and reports) the error for a request that cannot be intercepted. */
    reportBlocked: BlockedRequestReporter = (description) => new Error(`request blocked: ${description}`),
  ) {
    this.undici = new UndiciInterception(handler, reportBlocked);
  }

  /**
   * Starts intercepting every request. `sandboxes` are other realms' globals
   * (the Jest sandbox) whose undici dispatcher slot must be intercepted too:
   * an `undici` package loaded there reads its own global.
   */
  activate(sandboxes: object[] = []): void {
    if (this.nodeHttp) return;
    // The previous file's guard against its late requests makes way: ours sees every request now.
    removeLateRequestGuard();
    this.applyNodeHttp();
    this.undici.install(sandboxes);
  }

  /**
   * Lets mocks set up since `activate()` answer first: a library that
   * patched `node:http` after us (nock when required, msw's `server.listen()`)
   * would otherwise be consulted after us, so our interceptor is applied
   * again on top of theirs; and a dispatcher set with `setGlobalDispatcher`
   * goes back behind ours. Cheap when nothing changed: call it before each
   * test and hook.
   *
   * @example
   * interception.yieldToLaterMocks();
   */
  yieldToLaterMocks(): void {
    this.undici.reclaimSlots();
    if (!this.nodeHttp) return;
    const current = httpPatchPoints();
    if (current.every((fn, i) => fn === this.ownPatches[i])) return;
    // Theirs wrap our old patches; once disposed, those only pass requests on.
    this.nodeHttp.dispose();
    const [request, get, ClientRequest, httpsRequest, httpsGet] = current.map(withPlainOptions);
    Object.assign(http, { request, get, ClientRequest });
    Object.assign(https, { request: httpsRequest, get: httpsGet });
    this.applyNodeHttp();
  }

  /** Removes the interceptors and restores what they patched. */
  deactivate(): void {
    this.nodeHttp?.dispose();
    this.nodeHttp = undefined;
    this.ownPatches = [];
    this.undici.uninstall();
    for (const { sink } of this.pending.values()) sink.end();
    this.pending.clear();
  }

  private applyNodeHttp(): void {
    // Loaded here, not at import: applying it patches the process.
    const { ClientRequestInterceptor } = require('@mswjs/interceptors/ClientRequest') as { ClientRequestInterceptor: new () => ClientRequestInterceptor };
    const { getRawRequest } = require('@mswjs/interceptors') as { getRawRequest: (request: Request) => unknown };
    const interceptor = new ClientRequestInterceptor();
    // What is below ours: a request sent through a proxy agent by hand goes there, not to us again.
    const below = { 'http:': http.request.bind(http), 'https:': https.request.bind(https) };
    interceptor.on('request', async ({ request, requestId, controller }) => {
      let reply;
      let wire: WireRequest;
      try {
        wire = await toWireRequest(request);
        reply = await this.handler(wire);
      } catch (error) {
        controller.errorWith(error as Error);
        return;
      }
      if (isNetworkFailure(reply)) {
        controller.errorWith(reply.networkFailure);
        return;
      }
      if (isPassThrough(reply)) {
        const raw = getRawRequest(request) as http.ClientRequest | undefined;
        const proxy = connectingAgent(raw);
        // Awaited: a request the listeners leave unanswered is passed through by the interceptor.
        if (proxy) await sendThroughAgent(below[new URL(wire.url).protocol as 'http:' | 'https:'] ?? below['http:'], proxy, wire, reply.passthrough, controller);
        else if (reply.passthrough) this.watchPassThrough(requestId, reply.passthrough, raw);
        return;
      }
      const empty = hasNoBody(reply.status, request.method) || (Buffer.isBuffer(reply.body) && reply.body.length === 0);
      const body = empty ? null : Buffer.isBuffer(reply.body) ? new Uint8Array(reply.body.buffer, reply.body.byteOffset, reply.body.byteLength) : reply.body;
      controller.respondWith(new Response(body, { status: reply.status, headers: toHeaders(reply.headers) }));
    });
    interceptor.on('response', ({ requestId, response, isMockedResponse }) => {
      const pending = this.pending.get(requestId);
      if (!pending || isMockedResponse) return;
      this.pending.delete(requestId);
      pending.sink.start(response.status, responseHeaders(response));
      // Read in the background: awaiting here would hold the client's body back until it ends.
      void copyBody(response, pending);
    });
    interceptor.apply();
    this.nodeHttp = interceptor;
    this.ownPatches = httpPatchPoints();
  }

  /** A request let through emits no response when it fails: its failure is read off the request itself. */
  private watchPassThrough(requestId: string, sink: ResponseSink, raw: http.ClientRequest | undefined): void {
    const pending = { sink, raw };
    this.pending.set(requestId, pending);
    if (!raw) return;
    // Listening for 'error' would swallow an error the client does not handle itself: only listen where it does.
    const failed = (error: Error) => {
      if (this.pending.get(requestId) !== pending) return;
      this.pending.delete(requestId);
      sink.fail(error);
    };
    if (raw.listenerCount('error') > 0) raw.once('error', failed);
    raw.once('close', () => {
      if (this.pending.get(requestId) === pending) failed(new Error(`the request to ${raw.host ?? 'the server'} ended without a response`));
    });
  }
}
