/**
 * Intercepts every HTTP request of the process (global `fetch`, `node:http`,
 * `node:https`, and the clients built on them) with one catch-all nock
 * interceptor per method, and hands each request to a handler. Not
 * `nock.recorder`: see docs/interception.md for why.
 */
import { Readable } from 'node:stream';
import type { WireRequest } from './http-exchange';

// Saved before nock is loaded: nock replaces globalThis.fetch when it activates,
// and recording must reach the real network through the original.
const originalFetch: typeof fetch = globalThis.fetch;

/**
 * The fetch that bypasses interception, for performing real requests while recording.
 *
 * @example
 * const response = await realFetch('http://127.0.0.1:8080/');
 */
export function realFetch(input: string | URL, init?: RequestInit): Promise<Response> {
  return originalFetch(input, init);
}

/** What a handler answers: a response (whose body may stream), or an error to raise in the client. */
export interface HandlerReply {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer | Readable;
}

/** Handles one intercepted request. A thrown error reaches the client as a request error. */
export type RequestHandler = (request: WireRequest) => Promise<HandlerReply>;

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443' };

interface NockRequestContext {
  req: {
    method: string;
    path: string;
    headers: Record<string, string | string[] | undefined>;
    options: { proto?: string; protocol?: string; hostname?: string; host?: string; port?: number | string };
    requestBodyBuffers?: Buffer[];
  };
}

function requestUrl(req: NockRequestContext['req']): string {
  const proto = (req.options.proto ?? req.options.protocol ?? 'http').replace(/:$/, '');
  let hostname = req.options.hostname ?? String(req.options.host ?? 'localhost').replace(/:\d+$/, '');
  if (hostname.includes(':') && !hostname.startsWith('[')) hostname = `[${hostname}]`;
  const port = req.options.port === undefined ? '' : String(req.options.port);
  const portPart = port && port !== DEFAULT_PORTS[proto] ? `:${port}` : '';
  return `${proto}://${hostname}${portPart}${req.path}`;
}

type NockModule = typeof import('nock');

/**
 * Owns the catch-all interceptors of one test file: `activate()` in the
 * environment's setup, `deactivate()` in its teardown.
 *
 * @example
 * const interception = new HttpInterception(async (request) => ({ status: 200, headers: {}, body: Buffer.from('ok') }));
 * interception.activate();
 */
export class HttpInterception {
  private nock: NockModule | undefined;
  private interceptors: import('nock').Interceptor[] = [];

  constructor(private readonly handler: RequestHandler) {}

  /** Starts intercepting every request. */
  activate(): void {
    // Loaded here, not at import: nock patches the process as soon as it loads.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nock = (this.nock ??= require('nock') as NockModule);
    if (!nock.isActive()) nock.activate();
    const handler = this.handler;
    for (const method of METHODS) {
      const interceptor = nock(/.*/)
        .persist()
        .intercept(() => true, method);
      this.interceptors.push(interceptor);
      interceptor
        // Two declared parameters: nock treats three as callback style.
        .reply(async function (_uri: string, _body: unknown) {
          // nock's typings omit the fields it really passes (options, requestBodyBuffers).
          const req = (this as unknown as NockRequestContext).req;
          const wire: WireRequest = {
            method: req.method,
            url: requestUrl(req),
            headers: req.headers,
            body: Buffer.concat(req.requestBodyBuffers ?? []),
          };
          const reply = await handler(wire);
          return [reply.status, reply.body, reply.headers] as [number, Buffer, Record<string, string | string[]>];
        });
    }
  }

  /** Removes our interceptors and restores what nock patched. */
  deactivate(): void {
    const nock = this.nock;
    if (!nock) return;
    for (const interceptor of this.interceptors) nock.removeInterceptor(interceptor);
    this.interceptors = [];
    if (nock.isActive()) nock.restore();
  }
}
