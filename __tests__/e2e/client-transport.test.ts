/**
 * Recording goes out through the client's own transport, and interception
 * does not depend on when a client was built:
 * - over https with the client's own CA (no NODE_EXTRA_CA_CERTS): axios with
 *   an `https.Agent({ ca })`, node:https with `ca`, fetch with an undici
 *   `Agent({ connect: { ca } })`, and the openai client through an undici
 *   `ProxyAgent`; axios through `https-proxy-agent` (built on agent-base,
 *   which opens its sockets itself) to a plain-HTTP server; both proxies
 *   tunnel through a CONNECT proxy the test runs; the server sees the
 *   client's own headers, nothing added;
 * - a plain script whose openai client, undici Agent and global dispatcher
 *   are built at module scope, before `useCassette` opens, records and
 *   replays offline with no key set (`agenttape/register`), `undici.request`
 *   included.
 * Replay opens no connection to the server or the proxy.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { parseYaml as parse } from '../support/yaml-text';
import { runNodeScript } from '../support/node-script';
import { createFixture, type FixtureProject } from '../support/packed-project';
import { readObserved, writeObservedModule } from '../support/observed-results';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { createSelfSignedCert, type SelfSignedCert } from '../support/self-signed-cert';
const { OPENAI_RECORDING_KEY } = require('../fixtures/secrets/fake-keys.js') as Record<string, string>;

const OWN_CA_TEST = `
const fs = require('node:fs');
const https = require('node:https');
const axios = require('axios');
const undici = require('undici');
const OpenAI = require('openai').default;
const { cassette } = require('agenttape');
const { save } = require('./observed');

const base = process.env.PROVIDER_URL;
const ca = fs.readFileSync(process.env.CA_FILE, 'utf8');
const messages = [{ role: 'user', content: 'What is the weather in London?' }];

test('axios with its own https.Agent({ ca })', async () => {
  const res = await axios.get(base + '/echo/axios', { httpsAgent: new https.Agent({ ca }), headers: { 'x-client': 'axios' } });
  save('axios', res.data.headers);
  expect(cassette).toHaveReplayedAll();
});

test('node:https with its own ca', async () => {
  const headers = await new Promise((resolve, reject) => {
    https.get(base + '/echo/https', { ca, headers: { 'x-client': 'https' } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(JSON.parse(body).headers));
    }).on('error', reject);
  });
  save('https', headers);
});

test('fetch with an undici Agent trusting its own ca', async () => {
  const dispatcher = new undici.Agent({ connect: { ca } });
  const res = await fetch(base + '/echo/fetch', { dispatcher, headers: { 'x-client': 'fetch' } });
  save('fetch', (await res.json()).headers);
});

test('axios through an https-proxy-agent (agent-base, which opens its sockets itself)', async () => {
  const { HttpsProxyAgent } = require('https-proxy-agent');
  const res = await axios.get(process.env.PLAIN_URL + '/echo/axios-proxy', { httpAgent: new HttpsProxyAgent(process.env.PROXY_URL), proxy: false, headers: { 'x-client': 'axios-proxy' } });
  save('axios-proxy', res.data.headers);
});

test('openai through an undici ProxyAgent', async () => {
  const dispatcher = new undici.ProxyAgent({ uri: process.env.PROXY_URL, requestTls: { ca } });
  const openai = new OpenAI({ baseURL: base + '/v1', fetchOptions: { dispatcher } });
  const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
  save('openai', completion.choices[0].message.content);
});
`;

const AGENT_MODULE = `
const OpenAI = require('openai').default;
const undici = require('undici');
// Everything built when the module loads, before any cassette is open.
const openai = new OpenAI({ baseURL: process.env.PROVIDER_URL + '/v1' });
const agent = new undici.Agent();
undici.setGlobalDispatcher(new undici.Agent());

exports.run = async () => {
  const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather?' }] });
  const viaRequest = await undici.request(process.env.PROVIDER_URL + '/echo/undici-request', { method: 'POST', body: 'q=1' });
  const viaAgent = await fetch(process.env.PROVIDER_URL + '/echo/undici-agent', { dispatcher: agent });
  return {
    answer: completion.choices[0].message.content,
    request: (await viaRequest.body.json()).path,
    agent: (await viaAgent.json()).path,
  };
};
`;

const SCRIPT = `
require('agenttape/register');
const { useCassette } = require('agenttape');
const { run } = require('./agent');

useCassette('module-scope', { llmHosts: ['127.0.0.1'] }, run)
  .then((result) => console.log('RESULT ' + JSON.stringify(result)))
  .catch((error) => {
    console.error('FAILED ' + error.code + '\\n' + error.message);
    process.exitCode = 1;
  });
`;

/** A forward proxy that tunnels CONNECT requests, counting them. */
async function startConnectProxy(): Promise<{ url: string; tunnels: number; close(): Promise<void> }> {
  const state = { tunnels: 0 };
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    state.tunnels++;
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    get tunnels() {
      return state.tunnels;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("recording through the client's own transport", () => {
  let tls: SelfSignedCert;
  let provider: FakeProvider;
  let plain: FakeProvider;
  let proxy: Awaited<ReturnType<typeof startConnectProxy>>;
  let fixture: FixtureProject;
  const results = (label: string, name: string) => readObserved(fixture, label, name);

  beforeAll(async () => {
    tls = createSelfSignedCert();
    provider = await startFakeProvider(0, { tls });
    plain = await startFakeProvider();
    proxy = await startConnectProxy();
    fixture = createFixture('client-transport', { testEnvironmentOptions: { agenttape: { llmHosts: ['127.0.0.1'] } } });
    writeObservedModule(fixture);
    fixture.write('own-ca.test.js', OWN_CA_TEST);
  });
  afterAll(async () => {
    await provider.close();
    await plain.close();
    await proxy.close();
    fixture.remove();
    tls.remove();
  });

  test("records over https with each client's own CA and proxy, no NODE_EXTRA_CA_CERTS; the server sees the client's headers", async () => {
    const run = await fixture.run([], {
      AGENTTAPE_MODE: 'record',
      RUN_LABEL: 'record',
      PROVIDER_URL: provider.url,
      PROXY_URL: proxy.url,
      PLAIN_URL: plain.url,
      CA_FILE: tls.certPath,
      NODE_EXTRA_CA_CERTS: undefined,
      OPENAI_API_KEY: OPENAI_RECORDING_KEY,
    });
    expect(run.output).toContain('Tests:       5 passed, 5 total');
    expect(run.status).toBe(0);
    expect(provider.requests.map((r) => r.url)).toEqual(['/echo/axios', '/echo/https', '/echo/fetch', '/v1/chat/completions']);
    expect(plain.requests.map((r) => r.url)).toEqual(['/echo/axios-proxy']);
    expect(proxy.tunnels).toBe(2);
    // What the server saw: the client's own headers. A re-send through Node's fetch added these.
    for (const name of ['axios', 'https', 'axios-proxy']) {
      const seen = results('record', name) as Record<string, string>;
      expect(seen['x-client']).toBe(name);
      expect(seen).not.toHaveProperty('sec-fetch-mode');
      expect(seen).not.toHaveProperty('accept-language');
    }
    expect((results('record', 'https') as Record<string, string>)['user-agent']).toBeUndefined();
    expect(results('record', 'openai')).toMatch(/rainy/);
    const cassette = parse(fixture.read('cassettes/own-ca.test.js/openai through an undici ProxyAgent.yaml')) as { interactions: { kind: string; request: { url: string } }[] };
    expect(cassette.interactions.map((i) => [i.kind, i.request.url])).toEqual([['llm', `${provider.url}/v1/chat/completions`]]);
  });

  test('replays with the server and the proxy stopped: same results, zero connections', async () => {
    const connections = provider.connections + plain.connections;
    const tunnels = proxy.tunnels;
    const run = await fixture.run([], { RUN_LABEL: 'replay', PROVIDER_URL: provider.url, PLAIN_URL: plain.url, PROXY_URL: proxy.url, CA_FILE: tls.certPath, NODE_EXTRA_CA_CERTS: undefined });
    expect(run.output).toContain('Tests:       5 passed, 5 total');
    expect(run.status).toBe(0);
    expect(provider.connections + plain.connections).toBe(connections);
    expect(proxy.tunnels).toBe(tunnels);
    for (const name of ['axios', 'https', 'fetch', 'axios-proxy', 'openai']) expect({ name, result: results('replay', name) }).toEqual({ name, result: results('record', name) });
  });

  describe('a script whose clients are built at module scope, under useCassette', () => {
    let scriptProvider: FakeProvider;
    beforeAll(async () => {
      scriptProvider = await startFakeProvider();
      fixture.write('agent.js', AGENT_MODULE);
      fixture.write('script.js', SCRIPT);
    });
    afterAll(() => scriptProvider.close());

    test('records, then replays offline with no key set and zero connections', async () => {
      const recorded = await runNodeScript(fixture.dir, { AGENTTAPE_MODE: 'record', PROVIDER_URL: scriptProvider.url, OPENAI_API_KEY: OPENAI_RECORDING_KEY });
      expect(recorded.output).toMatch(/RESULT /);
      expect(recorded.status).toBe(0);
      const result = JSON.parse(recorded.output.split('RESULT ')[1]);
      expect(result).toEqual({ answer: expect.stringMatching(/rainy/), request: '/echo/undici-request', agent: '/echo/undici-agent' });
      const cassette = parse(fixture.read('cassettes/module-scope.yaml')) as { interactions: { kind: string; request: { url: string; text?: string } }[] };
      expect(cassette.interactions.map((i) => i.request.url)).toEqual([`${scriptProvider.url}/v1/chat/completions`, `${scriptProvider.url}/echo/undici-request`, `${scriptProvider.url}/echo/undici-agent`]);
      expect(cassette.interactions[1].request.text).toBe('q=1');

      const connections = scriptProvider.connections;
      const replayed = await runNodeScript(fixture.dir, { PROVIDER_URL: scriptProvider.url, OPENAI_API_KEY: undefined });
      expect(replayed.output).toMatch(/RESULT /);
      expect(replayed.status).toBe(0);
      expect(JSON.parse(replayed.output.split('RESULT ')[1])).toEqual(result);
      expect(scriptProvider.connections).toBe(connections);
    });
  });
});
