/**
 * The interception layer on its own: every client reaches the handler, a
 * streamed reply streams, a thrown error reaches each client as itself, and
 * deactivation restores the process exactly.
 */
import axios from 'axios';
import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';
import { HttpInterception, realFetch, type HandlerReply } from '../../src/http/request-interception';
import type { WireRequest } from '../../src/http/http-exchange';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';

class Refusal extends Error {
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
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      `POST ${provider.url}/a?x=1`,
      `PUT ${provider.url}/b`,
      'GET https://api.example.test/c',
      `GET ${provider.url}/d`,
    ]);
    expect(seen[0].headers['x-test']).toBe('yes');
    expect(seen[0].body.toString()).toBe('one');
    expect([...seen[1].body]).toEqual([0, 1, 255]);
    expect(provider.connections).toBe(0);
  });

  test('a Readable reply reaches the client chunk by chunk', async () => {
    reply = async () => {
      const body = new Readable({ read() {} });
      let n = 0;
      const timer = setInterval(() => {
        body.push(`data: ${n}\n\n`);
        if (++n === 3) {
          clearInterval(timer);
          body.push(null);
        }
      }, 15);
      return { status: 200, headers: { 'content-type': 'text/event-stream' }, body };
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
    reply = async () => {
      throw refusal;
    };
    await expect(fetch(`${provider.url}/x`)).rejects.toBe(refusal);
    await expect(httpRequest(`${provider.url}/x`)).rejects.toBe(refusal);
    const axiosError = await axios.get(`${provider.url}/x`).catch((e: { cause?: unknown }) => e);
    expect((axiosError as { cause?: unknown }).cause).toBe(refusal);
    expect(provider.connections).toBe(0);
  });

  test('realFetch bypasses interception; deactivate restores fetch and http exactly', async () => {
    interception.deactivate();
    const pristine = { fetch: globalThis.fetch, request: http.request, get: http.get, ClientRequest: http.ClientRequest, httpsRequest: https.request };
    interception.activate();
    expect(globalThis.fetch).not.toBe(pristine.fetch);
    reply = async () => ({ status: 500, headers: {}, body: Buffer.alloc(0) });
    const real = await realFetch(`${provider.url}/status/217`);
    expect(real.status).toBe(217);
    expect(seen).toHaveLength(0);
    interception.deactivate();
    expect({ fetch: globalThis.fetch, request: http.request, get: http.get, ClientRequest: http.ClientRequest, httpsRequest: https.request }).toEqual(pristine);
    const before = provider.connections;
    const direct = await fetch(`${provider.url}/status/217`);
    expect(direct.status).toBe(217);
    expect((await httpRequest(`${provider.url}/status/217`)).status).toBe(217);
    expect(provider.connections).toBeGreaterThan(before);
    expect(seen).toHaveLength(0);
  });
});
