/**
 * No network in replay, ever: across every client and every miss path, a
 * server counting connections sees none. undici's own APIs are intercepted at
 * its dispatcher like fetch; a WebSocket, which no cassette can hold, is
 * blocked with a clear error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createFixture, type FixtureProject } from '../support/packed-project';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';

const CLIENTS_TEST = `
const http = require('node:http');
const https = require('node:https');
const axios = require('axios');
const undici = require('undici');
const OpenAI = require('openai').default;
const Anthropic = require('@anthropic-ai/sdk').default;
const { createOpenAI } = require('@ai-sdk/openai');
const { generateText } = require('ai');
const { ChatOpenAI } = require('@langchain/openai');
const base = process.env.PROVIDER_URL;
// The counting server speaks plain HTTP; a TLS attempt that leaked would still open a connection to it.
const tlsBase = base.replace('http://', 'https://');

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
  https: () => viaHttp(https, tlsBase + '/echo/https'),
  'http upgrade (WebSocket handshake)': () => viaHttp(http, base + '/socket', { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } }),
  axios: () => axios.get(base + '/echo/axios'),
  openai: () => new OpenAI({ baseURL: base + '/v1' }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  anthropic: () => new Anthropic({ baseURL: base }).messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
  'undici.request': () => undici.request(base + '/echo/undici'),
  'undici.fetch': () => undici.fetch(base + '/echo/undici-fetch'),
  'undici WebSocket': () => new Promise((resolve, reject) => {
    const socket = new undici.WebSocket(base.replace('http://', 'ws://') + '/socket');
    socket.onopen = () => resolve('opened');
    socket.onerror = (event) => reject(event.error ?? new Error('websocket error'));
  }),
  'ai-sdk': () => generateText({ model: createOpenAI({ baseURL: base + '/v1', apiKey: 'sk-test' }).chat('gpt-4o-mini'), prompt: 'hi' }),
  // LangChain retries on its own (ignoring the SDK's x-should-retry), so one attempt here; a retry
  // that fires after the file ended is the case of the next test.
  langchain: () => new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'sk-test', maxRetries: 0, configuration: { baseURL: base + '/v1' } }).invoke('hi'),
};

for (const [name, attempt] of Object.entries(attempts)) {
  test(name, async () => {
    await attempt().catch(() => 'swallowed');
  });
}
`;

// Requests left behind by a test: a timer that fires after the file ended, through the global
// fetch, through an SDK client that kept the fetch it was built with (as LangChain's retries do),
// and through node:http and axios, whose module the next test file shares.
const LATE_TEST = `
const http = require('node:http');
const axios = require('axios');
const OpenAI = require('openai').default;
const base = process.env.PROVIDER_URL;
const openai = new OpenAI({ baseURL: base + '/v1', apiKey: 'sk-test', maxRetries: 0 });
const report = (what) => (error) => process.stderr.write('late ' + what + ': ' + (error.cause ?? error).name + '\\n');
test('leaves requests behind', () => {
  setTimeout(() => {
    fetch(base + '/echo/late').catch(report('fetch'));
    openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'late' }] }).catch(report('openai'));
    http.get(base + '/echo/late-http', (res) => res.resume()).on('error', report('http'));
    axios.get(base + '/echo/late-axios').catch(report('axios'));
  }, 300);
});
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
    expect(run.output).toContain('Tests:       12 failed, 12 total');
    expect(run.output.match(/UnmatchedInteractionError/g)!.length).toBeGreaterThanOrEqual(9);
    expect(run.output).toMatch(/● undici.request[\s\S]*?UnmatchedInteractionError: AgentTape: no recording matches this http request/);
    expect(run.output).toMatch(/● undici.fetch[\s\S]*?UnmatchedInteractionError: AgentTape: no recording matches this http request/);
    expect(run.output).toContain('UninterceptableRequestError: AgentTape blocked a websocket upgrade to');
    expect(run.output).toContain('not a connection kept open');
    expect(provider.connections).toBe(0);
    expect(fixture.files('cassettes')).toEqual([]);
  });

  test('a request made after its test file ended (a retry timer) is refused, not sent', async () => {
    fixture.write('late.test.js', LATE_TEST);
    const run = await fixture.run(['late.test.js'], { PROVIDER_URL: provider.url });
    expect(run.output).toContain('Tests:       1 passed, 1 total');
    expect(run.stderr).toContain('late fetch: UninterceptableRequestError\n');
    expect(run.stderr).toContain('late openai: UninterceptableRequestError\n');
    expect(run.stderr).toContain('late http: UninterceptableRequestError\n');
    expect(run.stderr).toContain('late axios: UninterceptableRequestError\n');
    expect(provider.connections).toBe(0);
    fs.rmSync(path.join(fixture.dir, 'late.test.js'));
  });

  test('in record mode undici.request and undici.fetch are recorded like fetch, and a WebSocket is blocked, not leaked', async () => {
    const run = await fixture.run(['-t', 'undici|fetch'], { PROVIDER_URL: provider.url, AGENTTAPE_MODE: 'record' });
    expect(run.output).toContain('UninterceptableRequestError: AgentTape blocked a websocket upgrade to');
    expect(provider.requests.map((r) => r.url)).toEqual(['/echo/fetch', '/echo/undici', '/echo/undici-fetch']);
    const cassettes = fixture.files('cassettes').filter((file) => /undici\.(request|fetch)/.test(file));
    expect(cassettes).toHaveLength(2);
  });
});
