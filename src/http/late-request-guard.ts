/**
 * A `node:http`/`node:https` request a test file left behind (a retry timer,
 * a promise nobody awaited) runs after the file's interception is gone, and
 * would reach the network unrecorded. The `http` module is shared by every
 * test file of a Jest worker, so the guard cannot simply stay: it refuses only
 * requests made with objects of a finished file's realm (its options, URL or
 * callback), lets every other request through untouched, and is removed when
 * the next AgentTape interception starts. A finished realm is held weakly: its
 * objects keep it alive exactly as long as a late request can still come from
 * it. A sandbox's `fetch` is its own: {@link gateFetch} refuses its late
 * requests. See docs/interception.md, "Requests left behind".
 */
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';

const GUARD = Symbol.for('agenttape.lateRequestGuard');

type Patchable = 'request' | 'get' | 'ClientRequest';
type Guarded = ((...args: unknown[]) => unknown) & { [GUARD]?: { original: unknown } };

/** Builds the error for one refused request, given `METHOD URL`. */
export type LateRequestReporter = (description: string) => Error;

/** An agent whose every connection fails at once with the refusal: the request fails as if refused. */
class RefusingAgent extends http.Agent {
  constructor(private readonly refusal: Error) {
    super();
  }

  override createConnection(_options: http.ClientRequestArgs, callback?: (error: Error | null, socket: Duplex) => void): undefined {
    process.nextTick(() => callback?.(this.refusal, undefined as unknown as Duplex));
    return undefined;
  }
}

function describe(args: unknown[], scheme: 'http' | 'https'): string {
  const target = args.find((arg) => typeof arg === 'string' || arg instanceof URL || (typeof arg === 'object' && arg !== null && 'toString' in arg && String(arg).includes('://')));
  const options = (args.find((arg) => typeof arg === 'object' && arg !== null && !(arg instanceof URL) && !String(arg).includes('://')) ?? {}) as {
    method?: string;
    host?: string;
    hostname?: string;
    port?: number;
    path?: string;
  };
  const url = target ? String(target) : `${scheme}://${options.hostname ?? options.host ?? 'localhost'}${options.port ? `:${options.port}` : ''}${options.path ?? '/'}`;
  return `${(options.method ?? 'GET').toUpperCase()} ${url}`;
}

/** The arguments with the refusing agent in the options (added where the call had none). */
function withAgent(args: unknown[], agent: http.Agent): unknown[] {
  const [first, second, ...rest] = args;
  if (typeof first === 'string' || first instanceof URL || (typeof first === 'object' && first !== null && String(first).includes('://'))) {
    if (typeof second === 'object' && second !== null) return [first, { ...second, agent }, ...rest];
    return [first, { agent }, ...(second === undefined ? [] : [second]), ...rest];
  }
  return [{ ...(first as object), agent }, second, ...rest].filter((arg, i) => i < 1 || arg !== undefined);
}

/**
 * Refuses the `node:http`/`https` requests that objects of `realm` (a finished
 * test file's sandbox) make from now on; replaces a guard already in place.
 *
 * @example
 * guardLateRequests(sandboxGlobal, (description) => new Error(`late: ${description}`));
 */
export function guardLateRequests(realm: { Object: ObjectConstructor }, report: LateRequestReporter): void {
  removeLateRequestGuard();
  const finished = new WeakRef(realm.Object);
  const isLate = (args: unknown[]) => {
    const RealmObject = finished.deref();
    return RealmObject !== undefined && args.some((arg) => (typeof arg === 'object' || typeof arg === 'function') && arg !== null && arg instanceof RealmObject);
  };
  for (const [module, scheme] of [
    [http, 'http'],
    [https, 'https'],
  ] as const) {
    for (const name of ['request', 'get', ...(module === http ? ['ClientRequest'] : [])] as Patchable[]) {
      const original = (module as unknown as Record<Patchable, Guarded>)[name];
      const refusing = (args: unknown[]) => withAgent(args, new RefusingAgent(report(describe(args, scheme))));
      const guarded = new Proxy(original, {
        apply: (target, thisArg, args: unknown[]) => Reflect.apply(target, thisArg, isLate(args) ? refusing(args) : args),
        construct: (target, args: unknown[]) => Reflect.construct(target as unknown as new (...a: unknown[]) => object, isLate(args) ? refusing(args) : args),
        get: (target, key) => (key === GUARD ? { original } : (Reflect.get(target, key) as unknown)),
      });
      (module as unknown as Record<Patchable, unknown>)[name] = guarded;
    }
  }
}

/**
 * Puts back what {@link guardLateRequests} replaced, if its guard is still in place.
 *
 * @example
 * removeLateRequestGuard();
 */
export function removeLateRequestGuard(): void {
  for (const module of [http, https]) {
    for (const name of ['request', 'get', 'ClientRequest'] as Patchable[]) {
      const current = (module as unknown as Record<Patchable, Guarded | undefined>)[name];
      const guard = current?.[GUARD];
      if (guard) (module as unknown as Record<Patchable, unknown>)[name] = guard.original;
    }
  }
}

/**
 * A sandbox's `fetch`: the intercepted one until `isLate()`, then a refusal,
 * so a request a test left behind (an SDK's retry timer, a promise nobody
 * awaited) is never sent unrecorded once the interceptor is gone.
 *
 * @example
 * sandbox.fetch = gateFetch(globalThis.fetch, () => session.closed, (description) => new Error(`late: ${description}`));
 */
export function gateFetch(intercepted: typeof fetch, isLate: () => boolean, report: LateRequestReporter): typeof fetch {
  return (input, init) => {
    if (!isLate()) return intercepted(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return Promise.reject(report(`${init?.method ?? (typeof input === 'object' && 'method' in input ? input.method : 'GET')} ${url}`));
  };
}
