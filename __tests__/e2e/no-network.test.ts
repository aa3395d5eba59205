/**
 * No network in replay, ever: across every client and every miss path, a
 * server counting connections sees none. undici's own APIs, which cannot be
 * intercepted, are blocked with a clear error.
 */
import { createFixture, type FixtureProject } from '../support/packed-project';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';

const CLIENTS_TEST = `
const http = require('node:http');
const https = require('node:https');
const axios = require('axios');
const undici = require('undici');
const OpenAI = require('openai').default;
const Anthropic = require('@anthropic-ai/sdk').default;
const base = process.env.PROVIDER_URL;

function viaHttp(mod, url, options = {}) {
  return new Promise((resolve, reject) => {
    const req = mod.request(url, options, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', reject);
    req.end();
  });
}

// Each client's miss, swallowed: the agent catches everything, so only AgentTape can fail the test.
const attempts = {
  fetch: () => fetch(base + '/echo/fetch'),
  http: () => viaHttp(http, base + '/echo/http'),
  https: () => viaHttp(https, 'https://api.example.test/echo/https'),
  'http upgrade (WebSocket handshake)': () => viaHttp(http, base + '/socket', { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } }),
  axios: () => axios.get(base + '/echo/axios'),
  openai: () => new OpenAI({ baseURL: base + '/v1' }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  anthropic: () => new Anthropic({ baseURL: base }).messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
  'undici.request': () => undici.request(base + '/echo/undici'),
  'undici.fetch': () => undici.fetch(base + '/echo/undici-fetch'),
};

for (const [name, attempt] of Object.entries(attempts)) {
  test(name, async () => {
    await attempt().catch(() => 'swallowed');
  });
}
`;

describe('no network in replay', () => {
  let provider: FakeProvider;
  let fixture: FixtureProject;
  beforeAll(async () => {
    provider = await startFakeProvider();
    fixture = createFixture('no-network');
    fixture.write('clients.test.js', CLIENTS_TEST);
  });
  afterAll(async () => {
    await provider.close();
    fixture.remove();
  });

  test('every client fails its test with a typed error and no connection reaches the server', async () => {
    const run = await fixture.run([], { PROVIDER_URL: provider.url });
    expect(run.status).toBe(1);
    expect(run.output).toContain('Tests:       9 failed, 9 total');
    expect(run.output.match(/UnmatchedInteractionError/g)!.length).toBeGreaterThanOrEqual(7);
    expect(run.output).toContain('UninterceptableRequestError: AgentTape blocked GET');
    expect(run.output).toContain("undici's own API");
    expect(provider.connections).toBe(0);
    expect(fixture.files('cassettes')).toEqual([]);
  });

  test('the same holds in record mode for undici: blocked, not leaked, while other clients record', async () => {
    const run = await fixture.run(['-t', 'undici|fetch'], { PROVIDER_URL: provider.url, AGENTTAPE_MODE: 'record' });
    expect(run.output).toContain('UninterceptableRequestError');
    expect(provider.requests.map((r) => r.url)).toEqual(['/echo/fetch']);
  });
});
