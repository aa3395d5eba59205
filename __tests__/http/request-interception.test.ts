/**
 * The interception layer on its own: every client reaches the handler (a
 * fetch captured before activation and undici's own API too), a streamed
 * reply streams, a request let through goes out as the client sent it while
 * its response is copied, a thrown error reaches each client, and
 * deactivation restores the process exactly.
 */
import axios from 'axios';
import * as http from 'node:http';
import * as https from 'node:https';
import * as undici from 'undici';
import { HttpInterception, type HandlerReply } from '../../src/http/request-interception';
import type { ResponseSink } from '../../src/http/request-handler';
import type { WireRequest } from '../../src/http/http-exchange';
import { closedPort } from '../support/closed-port';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';

// Each transport takes an error as it is only when it comes from the transport's own realm
// (`instanceof Error`); in production the environment, the interceptors and Node's fetch share
// one. Here the interceptors run inside Jest's sandbox and Node's fetch outside it.
const OuterError = (globalThis.fetch.constructor as FunctionConstructor)('return Error')() as ErrorConstructor;
class Refusal extends Error {
  readonly code = 'ERR_TEST_REFUSAL';
}
class FetchRefusal extends OuterError {
  readonly code = 'ERR_TEST_REFUSAL';
}

function httpRequest(url: string, method = 'GET', body?: Buffer): Promise<{ status: number; body: string; chunks: number }> {
  const client = url.startsWith('https') ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, { method }, (res) => {
      let text = '';
      let chunks = 0;
      res.on('data', (c: Buffer) => {
        text += c.toString();
        chunks++;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, chunks }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('HttpInterception', () => {
  let provider: FakeProvider;
  const seen: WireRequest[] = [];
  let reply: (request: WireRequest) => Promise<HandlerReply>;
  const interception = new HttpInterception(async (request) => {
    seen.push(request);
    return reply(request);
  });

  beforeAll(async () => {
    provider = await startFakeProvider();
  });
  afterAll(() => provider.close());
  beforeEach(() => {
    seen.length = 0;
    interception.activate();
  });
  afterEach(() => interception.deactivate());

  test('fetch, http, https and axios all reach the handler with method, URL, headers and body', async () => {
    reply = async (request) => ({ status: 217, headers: { 'content-type': 'text/plain', 'x-seen': request.method }, body: Buffer.from(`hello ${request.url}`) });
    const viaFetch = await fetch(`${provider.url}/a?x=1`, { method: 'POST', body: 'one', headers: { 'x-test': 'yes' } });
    expect(viaFetch.status).toBe(217);
    expect(await viaFetch.text()).toBe(`hello ${provider.url}/a?x=1`);
    expect((await httpRequest(`${provider.url}/b`, 'PUT', Buffer.from([0, 1, 255]))).status).toBe(217);
    expect((await httpRequest('https://api.example.test/c')).body).toBe('hello https://api.example.test/c');
    const viaAxios = await axios.get(`${provider.url}/d`, { validateStatus: () => true });
    expect(viaAxios.status).toBe(217);
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([`POST ${provider.url}/a?x=1`, `PUT ${provider.url}/b`, 'GET https://api.example.test/c', `GET ${provider.url}/d`]);
    expect(seen[0].headers['x-test']).toBe('yes');
    expect(seen[0].body.toString()).toBe('one');
    expect([...seen[1].body]).toEqual([0, 1, 255]);
    expect(provider.connections).toBe(0);
  });

  test('a streamed reply reaches the client chunk by chunk', async () => {
    reply = async () => {
      let n = 0;
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          const timer = setInterval(() => {
            controller.enqueue(new TextEncoder().encode(`data: ${n}\n\n`));
            if (++n === 3) {
              clearInterval(timer);
              controller.close();
            }
          }, 15);
        },
      });
      return { status: 200, headers: { 'content-type': 'text/event-stream' }, body: stream };
    };
    const response = await fetch(`${provider.url}/stream`);
    const reader = response.body!.getReader();
    const chunks: string[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(Buffer.from(value).toString());
    }
    expect(chunks).toEqual(['data: 0\n\n', 'data: 1\n\n', 'data: 2\n\n']);
    expect((await httpRequest(`${provider.url}/stream`)).chunks).toBe(3);
  });

  test('an error thrown by the handler reaches fetch, http and axios as the same error', async () => {
    const refusal = new Refusal('not in the cassette');
    const fetchRefusal = new FetchRefusal('not in the cassette');
    reply = async (request) => {
      throw request.url.endsWith('/undici') ? fetchRefusal : refusal;
    };
    await expect(fetch(`${provider.url}/undici`)).rejects.toBe(fetchRefusal);
    await expect(undici.request(`${provider.url}/undici`)).rejects.toBe(fetchRefusal);
    await expect(httpRequest(`${provider.url}/x`)).rejects.toBe(refusal);
    const axiosError = await axios.get(`${provider.url}/x`).catch((e: { cause?: unknown }) => e);
    expect((axiosError as { cause?: unknown }).cause).toBe(refusal);
    expect(provider.connections).toBe(0);
  });

  test('a replayed network failure reaches each client as the network would deliver it: fetch wraps it in "fetch failed"', async () => {
    const refused = Object.assign(new OuterError('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const refusedHere = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    reply = async (request) => ({ networkFailure: request.url.endsWith('/fetch') ? refused : refusedHere });
    const viaFetch = await fetch(`${provider.url}/fetch`).catch((error: Error & { cause?: unknown }) => error);
    expect(viaFetch).toMatchObject({ message: 'fetch failed', cause: refused });
    await expect(httpRequest(`${provider.url}/http`)).rejects.toBe(refusedHere);
    expect(provider.connections).toBe(0);
  });

  test('a fetch captured before activation, undici.request, undici.fetch and undici Agents (given to fetch, or set as the global dispatcher) reach the handler', async () => {
    interception.deactivate();
    const captured = globalThis.fetch;
    interception.activate();
    reply = async (request) => ({ status: 217, headers: { 'content-type': 'text/plain' }, body: Buffer.from(`replayed ${request.method} ${request.url}`) });
    const viaCaptured = await captured(`${provider.url}/captured`);
    expect([viaCaptured.status, await viaCaptured.text()]).toEqual([217, `replayed GET ${provider.url}/captured`]);
    const viaRequest = await undici.request(`${provider.url}/undici`, { method: 'POST', body: 'x=1', headers: { 'content-type': 'text/plain' } });
    expect([viaRequest.statusCode, await viaRequest.body.text()]).toEqual([217, `replayed POST ${provider.url}/undici`]);
    const viaUndiciFetch = await undici.fetch(`${provider.url}/undici-fetch`);
    expect(viaUndiciFetch.status).toBe(217);
    const agent = new undici.Agent();
    const viaAgent = await fetch(`${provider.url}/agent`, { dispatcher: agent } as unknown as RequestInit);
    expect(viaAgent.status).toBe(217);
    const previous = undici.getGlobalDispatcher();
    undici.setGlobalDispatcher(new undici.Agent());
    interception.yieldToLaterMocks();
    const viaSetGlobal = await undici.request(`${provider.url}/set-global`);
    expect(viaSetGlobal.statusCode).toBe(217);
    await viaSetGlobal.body.dump();
    undici.setGlobalDispatcher(previous);
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET ${provider.url}/captured`,
      `POST ${provider.url}/undici`,
      `GET ${provider.url}/undici-fetch`,
      `GET ${provider.url}/agent`,
      `GET ${provider.url}/set-global`,
    ]);
    expect(seen[1].body.toString()).toBe('x=1');
    expect(provider.connections).toBe(0);
    await agent.close();
  });

  test('a request let through goes out with the headers the client sent, and its response is copied to the sink as the client receives it', async () => {
    const copies: string[] = [];
    const sinkFor = (label: string): ResponseSink => {
      const parts: string[] = [];
      return {
        start: (status) => parts.push(String(status)),
        data: (chunk) => parts.push(chunk.toString()),
        end: () => copies.push(`${label} ${parts.join('|')}`),
        fail: (error) => copies.push(`${label} failed: ${error.message}`),
      };
    };
    reply = async (request) => ({ passthrough: sinkFor(new URL(request.url).pathname) });
    const received: http.IncomingHttpHeaders[] = [];
    const server = http.createServer((req, res) => {
      received.push(req.headers);
      const status = Number(req.url!.split('/').pop());
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.write('part 1;');
      setTimeout(() => res.end('part 2'), 10);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const viaFetch = await fetch(`${base}/status/217`, { headers: { 'x-client': 'fetch' } });
      expect([viaFetch.status, await viaFetch.text()]).toEqual([217, 'part 1;part 2']);
      expect(await httpRequest(`${base}/status/218`)).toMatchObject({ status: 218, body: 'part 1;part 2' });
      const viaUndici = await undici.request(`${base}/status/219`, { headers: { 'x-client': 'undici' } });
      expect([viaUndici.statusCode, await viaUndici.body.text()]).toEqual([219, 'part 1;part 2']);
      await expect(fetch(`http://127.0.0.1:${await closedPort()}/refused`)).rejects.toThrow('fetch failed');
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      server.closeAllConnections();
      server.close();
    }
    expect(copies).toEqual(['/status/217 217|part 1;|part 2', '/status/218 218|part 1;|part 2', '/status/219 219|part 1;|part 2', expect.stringMatching(/^\/refused failed: .*ECONNREFUSED/)]);
    // What the server saw is the client's own request: no header added, none dropped.
    expect(received[0]['x-client']).toBe('fetch');
    expect(received[1]['user-agent']).toBeUndefined();
    expect(received[2]['x-client']).toBe('undici');
    expect(received[2]['user-agent']).toBeUndefined();
  });

  test('a dispatcher of the client that delegates to the global one: the request reaches the handler once, replayed or let through', async () => {
    const delegating = { dispatch: (options: object, handler: object) => (undici.getGlobalDispatcher() as unknown as { dispatch(o: object, h: object): boolean }).dispatch(options, handler) };
    reply = async () => ({ status: 217, headers: {}, body: Buffer.from('replayed') });
    expect(await (await fetch(`${provider.url}/delegating`, { dispatcher: delegating } as unknown as RequestInit)).text()).toBe('replayed');
    const copies: string[] = [];
    reply = async () => ({ passthrough: { start: () => undefined, data: () => undefined, end: () => copies.push('end'), fail: () => copies.push('fail') } });
    expect((await fetch(`${provider.url}/status/217`, { dispatcher: delegating } as unknown as RequestInit)).status).toBe(217);
    expect(seen.map((r) => new URL(r.url).pathname)).toEqual(['/delegating', '/status/217']);
    expect(copies).toEqual(['end']);
  });

  test('deactivate restores fetch, http and the undici dispatcher slot exactly', async () => {
    interception.deactivate();
    const slot = Symbol.for('undici.globalDispatcher.1');
    const pristine = { fetch: globalThis.fetch, request: http.request, get: http.get, ClientRequest: http.ClientRequest, httpsRequest: https.request, dispatcher: (globalThis as Record<symbol, unknown>)[slot] };
    interception.activate();
    expect(globalThis.fetch).not.toBe(pristine.fetch);
    expect((globalThis as Record<symbol, unknown>)[slot]).not.toBe(pristine.dispatcher);
    interception.deactivate();
    expect({ fetch: globalThis.fetch, request: http.request, get: http.get, ClientRequest: http.ClientRequest, httpsRequest: https.request, dispatcher: (globalThis as Record<symbol, unknown>)[slot] }).toEqual(pristine);
    const before = provider.connections;
    const direct = await fetch(`${provider.url}/status/217`);
    expect(direct.status).toBe(217);
    expect((await httpRequest(`${provider.url}/status/217`)).status).toBe(217);
    expect((await undici.request(`${provider.url}/status/217`)).statusCode).toBe(217);
    expect(provider.connections).toBeGreaterThan(before);
    expect(seen).toHaveLength(0);
  });
});
