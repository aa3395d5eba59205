/**
 * Intercepts at undici's dispatcher, the layer every `fetch` of Node and every
 * call of the `undici` package goes through, however early the client
 * captured its `fetch`: the process-wide dispatcher slot of each realm holds
 * an {@link InterceptingDispatcher} in front of the dispatcher that was there,
 * and a dispatcher given to `fetch` explicitly (a proxy agent, an `Agent` with
 * its own CA) is put behind one too. A request let through goes to the
 * client's own dispatcher with the client's own options. See
 * docs/interception.md.
 */
import * as diagnostics from 'node:diagnostics_channel';
import { hasNoBody, isNetworkFailure, isPassThrough, type BlockedRequestReporter, type HandlerReply, type RequestHandler, type ResponseSink } from './request-handler';
import { failHandler, replayToHandler, teeHandler, type DispatchHandler } from './undici-handler';
import { appendHeader, type WireRequest } from './http-exchange';

// Where undici (Node's fetch, the `undici` package) keeps its process-wide dispatcher.
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');
type DispatcherSlot = { [GLOBAL_DISPATCHER]?: Dispatcher };

/** The part of undici's `Dispatcher` we use. */
export interface Dispatcher {
  dispatch(options: DispatchOptions, handler: DispatchHandler): boolean;
  close?(...args: unknown[]): unknown;
  destroy?(...args: unknown[]): unknown;
}

/** The options undici passes to `dispatch`. */
export interface DispatchOptions {
  origin?: string | URL;
  path?: string;
  method?: string;
  headers?: unknown;
  body?: unknown;
  upgrade?: string | boolean | null;
  [key: string]: unknown;
}

/** What undici's `undici:request:create` channel carries: the request about to be sent. */
interface UnseenRequest {
  method: string;
  origin: string;
  path: string;
  /** Set before it connects, undici fails the request with it instead of sending it. */
  error?: Error | null;
}

/** undici's request headers (an object, a flat `[name, value…]` list, pairs, or an iterable) as a map. */
function headersOf(raw: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const add = (name: unknown, value: unknown) => {
    if (value === undefined || value === null) return;
    appendHeader(out, String(name).toLowerCase(), Array.isArray(value) ? value.map(String) : [String(value)]);
  };
  if (!raw) return out;
  if (Array.isArray(raw)) {
    if (raw.every((entry) => Array.isArray(entry))) for (const [name, value] of raw as unknown[][]) add(name, value);
    else for (let i = 0; i + 1 < raw.length; i += 2) add(raw[i], raw[i + 1]);
  } else if (typeof (raw as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [name, value] of raw as Iterable<[unknown, unknown]>) add(name, value);
  } else {
    for (const [name, value] of Object.entries(raw)) add(name, value);
  }
  return out;
}

/** Reads a request body of any form undici accepts (string, bytes, stream, async iterable, Blob, FormData). */
async function readBody(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  // ArrayBuffer.isView works across realms, where `instanceof Uint8Array` does not.
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (Object.prototype.toString.call(body) === '[object ArrayBuffer]') return Buffer.from(body as ArrayBuffer);
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<string | Uint8Array>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    return Buffer.concat(chunks);
  }
  return Buffer.from(await new Response(body as ConstructorParameters<typeof Response>[0]).arrayBuffer());
}

function urlOf(options: DispatchOptions): string {
  return `${String(options.origin ?? '').replace(/\/$/, '')}${options.path ?? '/'}`;
}

/**
 * A dispatcher in front of another: every request is handed to the handler,
 * and one it lets through goes on to the dispatcher behind it.
 *
 * @example
 * globalThis[Symbol.for('undici.globalDispatcher.1')] = new InterceptingDispatcher(previous, interception);
 */
export class InterceptingDispatcher implements Dispatcher {
  constructor(
    /** Where requests that are let through go; undefined: the process's own default dispatcher. */
    public target: Dispatcher | undefined,
    private readonly interception: UndiciInterception,
  ) {}

  dispatch(options: DispatchOptions, handler: DispatchHandler): boolean {
    // A request being let through by an intercepting dispatcher in front of this one (a client's
    // own dispatcher that delegates to the global one) was decided on already: it goes on as it is.
    if (this.interception.forwarding > 0) return this.interception.targetOf(this).dispatch(options, handler);
    void this.interception.handle(this, options, handler);
    return true;
  }

  // Closing the global dispatcher closes the real one behind it.
  close(...args: unknown[]): unknown {
    return this.target?.close ? this.target.close(...args) : Promise.resolve();
  }

  destroy(...args: unknown[]): unknown {
    return this.target?.destroy ? this.target.destroy(...args) : Promise.resolve();
  }

  // undici's dispatchers are event emitters (connect, disconnect, drain); nothing is emitted here.
  on(): this {
    return this;
  }

  once(): this {
    return this;
  }

  off(): this {
    return this;
  }

  removeListener(): this {
    return this;
  }

  emit(): boolean {
    return false;
  }
}

/**
 * Owns the interception of undici for one test file (or one `useCassette`):
 * `install()` puts an intercepting dispatcher in each realm's slot and wraps
 * the global `fetch` so a dispatcher passed to it is intercepted too;
 * `uninstall()` puts back exactly what was there.
 *
 * @example
 * const undici = new UndiciInterception(handler, reportBlocked);
 * undici.install([sandboxGlobal]);
 */
export class UndiciInterception {
  private slots: { slot: DispatcherSlot; dispatcher: InterceptingDispatcher; had: boolean }[] = [];
  private readonly explicit = new WeakMap<object, InterceptingDispatcher>();
  /** The process's default dispatcher, for realms whose slot was empty. */
  private processDispatcher: Dispatcher | undefined;
  private patchedFetch: { original: typeof fetch; patched: typeof fetch } | undefined;
  /** Depth of the synchronous calls that hand a request let through to the dispatcher behind. */
  forwarding = 0;
  /** Requests let through and not yet answered: undici may create more for them (a proxy's CONNECT). */
  private sending = 0;
  private readonly guard = (message: unknown) => this.refuseUnseen(message as { request: UnseenRequest });
  /** Errors the handler failed a request with: `fetch` wraps them in "fetch failed", its global form hands them back as they are. */
  private readonly refusals = new WeakSet<object>();

  constructor(
    private readonly handler: RequestHandler,
    private readonly reportBlocked: BlockedRequestReporter,
  ) {}

  /** Starts intercepting in this realm and in `realms` (other realms' globals, such as Jest's sandbox). */
  install(realms: object[] = []): void {
    if (this.slots.length > 0) return;
    // Reading fetch makes Node load its undici, which fills the slot with the default Agent.
    const original = globalThis.fetch;
    // Node's fetch reads the slot of the realm it was made in, which is not ours when this runs
    // inside a vm context (a Jest sandbox calling useCassette): a function's constructor belongs
    // to its realm, and a function it builds sees that realm's global as `this`.
    const fetchRealm = ((original as unknown as { constructor: FunctionConstructor }).constructor('return this') as () => DispatcherSlot)();
    this.processDispatcher = fetchRealm[GLOBAL_DISPATCHER];
    for (const realm of new Set([fetchRealm, globalThis, ...realms]) as Set<DispatcherSlot>) {
      const had = Object.prototype.hasOwnProperty.call(realm, GLOBAL_DISPATCHER);
      const dispatcher = new InterceptingDispatcher(realm[GLOBAL_DISPATCHER], this);
      realm[GLOBAL_DISPATCHER] = dispatcher;
      this.slots.push({ slot: realm, dispatcher, had });
    }
    const patched = this.interceptingFetch(original);
    globalThis.fetch = patched;
    this.patchedFetch = { original, patched };
    diagnostics.subscribe('undici:request:create', this.guard);
  }

  /**
   * Puts the intercepting dispatcher back in front of one that code set since
   * (`setGlobalDispatcher(new Agent({ connect: { ca } }))`): that dispatcher
   * becomes the one requests go to when they are let through.
   */
  reclaimSlots(): void {
    for (const entry of this.slots) {
      const current = entry.slot[GLOBAL_DISPATCHER];
      if (current === entry.dispatcher || current === undefined) continue;
      entry.dispatcher.target = current instanceof InterceptingDispatcher ? current.target : current;
      entry.slot[GLOBAL_DISPATCHER] = entry.dispatcher;
    }
  }

  /** Restores each realm's slot and the global `fetch`. */
  uninstall(): void {
    diagnostics.unsubscribe('undici:request:create', this.guard);
    for (const { slot, dispatcher, had } of this.slots) {
      if (slot[GLOBAL_DISPATCHER] !== dispatcher) continue;
      if (!had && dispatcher.target === undefined) {
        // undici defines the slot non-configurable once it sets it itself; delete can then fail.
        if (!Reflect.deleteProperty(slot, GLOBAL_DISPATCHER)) slot[GLOBAL_DISPATCHER] = undefined;
      } else {
        slot[GLOBAL_DISPATCHER] = dispatcher.target;
      }
    }
    this.slots = [];
    if (this.patchedFetch && globalThis.fetch === this.patchedFetch.patched) globalThis.fetch = this.patchedFetch.original;
    this.patchedFetch = undefined;
  }

  /** The fetch installed as the global one: a dispatcher given explicitly goes behind an intercepting one. */
  interceptingFetch(original: typeof globalThis.fetch): typeof globalThis.fetch {
    const fetch = (input: Parameters<typeof globalThis.fetch>[0], init?: RequestInit): Promise<Response> => {
      this.reclaimSlots();
      const dispatcher = (init as { dispatcher?: Dispatcher } | undefined)?.dispatcher;
      if (dispatcher && !(dispatcher instanceof InterceptingDispatcher)) {
        init = { ...init, dispatcher: this.inFrontOf(dispatcher) } as unknown as RequestInit;
      }
      return original(input, init).catch((error: unknown) => {
        // A refusal reaches fetch's caller as itself, not as the "fetch failed" TypeError undici wraps it in.
        const cause = (error as { cause?: unknown } | null)?.cause;
        if (typeof cause === 'object' && cause !== null && this.refusals.has(cause)) throw cause as Error; // only errors are added
        throw error;
      });
    };
    return fetch;
  }

  /** The intercepting dispatcher in front of `dispatcher`, one per dispatcher. */
  inFrontOf(dispatcher: Dispatcher): InterceptingDispatcher {
    let front = this.explicit.get(dispatcher);
    if (!front) {
      front = new InterceptingDispatcher(dispatcher, this);
      this.explicit.set(dispatcher, front);
    }
    return front;
  }

  /** Where a request let through by `front` goes: the dispatcher behind it, or the process's default one. */
  targetOf(front: InterceptingDispatcher): Dispatcher {
    const target = front.target ?? this.processDispatcher;
    if (!target) throw new Error('AgentTape found no undici dispatcher to send the request through');
    return target;
  }

  /** Handles one dispatched request: answers it, fails it, or lets it through to the dispatcher behind. */
  async handle(front: InterceptingDispatcher, options: DispatchOptions, handler: DispatchHandler): Promise<void> {
    const method = (options.method ?? 'GET').toUpperCase();
    if (options.upgrade || method === 'CONNECT') {
      this.refuse(handler, this.reportBlocked(`${options.upgrade ? `a ${String(options.upgrade)} upgrade to` : 'CONNECT'} ${urlOf(options)}`, 'connection'));
      return;
    }
    let wire: WireRequest;
    let reply: HandlerReply;
    try {
      wire = { method, url: urlOf(options), headers: headersOf(options.headers), body: await readBody(options.body) };
      reply = await this.handler(wire);
    } catch (error) {
      this.refuse(handler, error as Error);
      return;
    }
    if (isNetworkFailure(reply)) {
      failHandler(handler, reply.networkFailure);
      return;
    }
    if (isPassThrough(reply)) {
      // The body was read to match the request: send the same bytes.
      const body = options.body === undefined || options.body === null ? options.body : wire.body;
      // Counted until its response ends, so a request undici makes for it later (a proxy's CONNECT) is not refused.
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        this.sending--;
      };
      const recorder = reply.passthrough;
      const sink: ResponseSink = {
        start: (status, headers) => recorder?.start(status, headers),
        data: (chunk) => recorder?.data(chunk),
        end: () => (settle(), recorder?.end()),
        fail: (error) => (settle(), recorder?.fail(error)),
      };
      this.sending++;
      this.forwarding++;
      try {
        this.targetOf(front).dispatch({ ...options, body }, teeHandler(handler, sink));
      } catch (error) {
        sink.fail(error as Error);
        failHandler(handler, error as Error);
      } finally {
        this.forwarding--;
      }
      return;
    }
    const empty = hasNoBody(reply.status, method);
    await replayToHandler(handler, { status: reply.status, headers: reply.headers, body: empty ? null : reply.body });
  }

  /**
   * The last guard: undici announces every request it is about to send. One
   * that did not come through an intercepting dispatcher (an undici dispatcher
   * passed to `undici.request` itself, or to a `fetch` captured before the
   * cassette opened) is failed before a byte of it is written, and fails the test.
   */
  private refuseUnseen({ request }: { request: UnseenRequest }): void {
    if (this.sending > 0 || request.error) return;
    request.error = this.reportBlocked(`${request.method} ${request.origin}${request.path}`, 'unseen-dispatcher');
    this.refusals.add(request.error);
  }

  private refuse(handler: DispatchHandler, error: Error): void {
    if (typeof error === 'object' && error !== null) this.refusals.add(error);
    failHandler(handler, error);
  }
}
