/**
 * Recording and replay over HTTPS, end to end: the fake provider serves TLS
 * with a certificate made at test time, the fixture project trusts it through
 * NODE_EXTRA_CA_CERTS (as a user would trust a corporate proxy or a local
 * gateway; verification stays on), and global fetch, node:https, axios and
 * the openai client record cassettes with https URLs, then replay them with
 * the server stopped — a streamed answer chunk by chunk.
 */
import { parseYaml as parse } from '../support/yaml-text';
import { createFixture, type FixtureProject } from '../support/packed-project';
import { readObserved, writeObservedModule } from '../support/observed-results';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { createSelfSignedCert, type SelfSignedCert } from '../support/self-signed-cert';

const AGENT_TEST = `
const https = require('node:https');
const axios = require('axios');
const OpenAI = require('openai').default;
const { cassette } = require('agenttape');

const base = process.env.PROVIDER_URL;
const openai = new OpenAI({ baseURL: base + '/v1' });
const messages = [{ role: 'user', content: 'What is the weather in London?' }];

const { save } = require('./observed');

/** node:https, collecting each 'data' event as it arrives. */
function httpsRequest(url, method, body) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode, chunks }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

describe('over https', () => {
  test('fetch', async () => {
    const res = await fetch(base + '/echo/fetch?b=2&a=1', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ q: 'weather' }) });
    const body = await res.json();
    save('fetch', { status: res.status, path: body.path, body: body.body });
    expect(body.path).toBe('/echo/fetch?b=2&a=1');
    expect(cassette).toHaveReplayedAll();
  });
  test('node https', async () => {
    const res = await httpsRequest(base + '/echo/https', 'GET');
    save('node-https', { status: res.status, path: JSON.parse(res.chunks.join('')).path });
    expect(res.status).toBe(200);
  });
  test('axios', async () => {
    const res = await axios.post(base + '/echo/axios', { q: 'weather' });
    save('axios', { status: res.status, path: res.data.path, body: res.data.body });
    expect(res.data.path).toBe('/echo/axios');
  });
  test('openai', async () => {
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
    save('openai', completion);
    expect(completion.choices[0].message.content).toMatch(/rainy/);
  });
  test('openai stream', async () => {
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    save('openai-stream', chunks);
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toMatch(/rainy/);
    expect(cassette).toHaveReplayedAll();
  });
  test('stream read raw by fetch and node https', async () => {
    const request = { model: 'raw', messages, stream: true };
    const res = await fetch(base + '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
    const reader = res.body.getReader();
    const fetched = [];
    for (;;) { const { done, value } = await reader.read(); if (done) break; fetched.push(Buffer.from(value).toString('utf8')); }
    const viaHttps = await httpsRequest(base + '/v1/chat/completions', 'POST', { ...request, model: 'raw-https' });
    save('raw-stream', { fetched, viaHttps: viaHttps.chunks });
    expect(fetched.at(-1)).toContain('[DONE]');
  });
});
`;

// The trust must be what makes recording work: without it the same request fails verification.
const UNTRUSTED_TEST = `
const https = require('node:https');
const base = process.env.PROVIDER_URL;

test('fetch refuses the unknown certificate', async () => {
  const error = await fetch(base + '/echo/untrusted').then(() => undefined, (e) => e);
  expect(String(error?.cause?.code ?? error?.code)).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
});
test('node https refuses the unknown certificate', async () => {
  const error = await new Promise((resolve) => https.get(base + '/echo/untrusted-https', () => resolve(undefined)).on('error', resolve));
  expect(String(error?.code)).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
});
`;

type Stored = { kind: string; usage: Record<string, number> | null; request: { url: string }; response: { sse?: { data: unknown; delay_ms?: number }[] } };
const cassetteOf = (fixture: FixtureProject, name: string): { interactions: Stored[] } => parse(fixture.read(`cassettes/${name}.yaml`));

describe('https: record, then replay offline', () => {
  let tls: SelfSignedCert;
  let provider: FakeProvider;
  let fixture: FixtureProject;
  const results = (label: string, name: string) => readObserved(fixture, label, name);
  const NAMES = ['fetch', 'node-https', 'axios', 'openai', 'openai-stream', 'raw-stream'];

  beforeAll(async () => {
    tls = createSelfSignedCert();
    provider = await startFakeProvider(0, { tls });
    // Far enough apart that each event the server writes reaches the client as its own chunk.
    provider.streamGapMs = 20;
    fixture = createFixture('https', { testEnvironmentOptions: { agenttape: { llmHosts: ['127.0.0.1'] } } });
    writeObservedModule(fixture);
    fixture.write('agent.test.js', AGENT_TEST);
  });
  afterAll(async () => {
    await provider.close();
    fixture.remove();
    tls.remove();
  });

  test('records fetch, node:https, axios and openai with https URLs, trusting the certificate through NODE_EXTRA_CA_CERTS', async () => {
    const run = await fixture.run([], {
      AGENTTAPE_MODE: 'record',
      RUN_LABEL: 'record',
      PROVIDER_URL: provider.url,
      NODE_EXTRA_CA_CERTS: tls.certPath,
      OPENAI_API_KEY: 'sk-proj-realLookingKey1234567890abcd',
    });
    expect(run.output).toContain('Tests:       6 passed, 6 total');
    expect(run.status).toBe(0);
    expect(provider.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(provider.requests).toHaveLength(7);

    const files = fixture.files('cassettes');
    expect(files).toHaveLength(6);
    const interactions = files.flatMap((file) => cassetteOf(fixture, file.replace(/\.yaml$/, '')).interactions);
    expect(interactions.map((i) => i.request.url).sort()).toEqual(
      ['/echo/axios', '/echo/fetch?b=2&a=1', '/echo/https', '/v1/chat/completions', '/v1/chat/completions', '/v1/chat/completions', '/v1/chat/completions'].map((p) => `${provider.url}${p}`),
    );
    // llmHosts names 127.0.0.1: the openai calls (like every call to this host) are llm interactions.
    expect(interactions.filter((i) => i.request.url.includes('/v1/chat/completions')).map((i) => i.kind)).toEqual(['llm', 'llm', 'llm', 'llm']);

    const [stream] = cassetteOf(fixture, 'agent.test.js/over https openai stream').interactions;
    expect(stream.usage).toEqual({ prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 });
    const sse = stream.response.sse!;
    expect(sse.at(-1)).toMatchObject({ data: '[DONE]' });
    expect(sse[2]).toMatchObject({ data: { choices: [{ delta: { content: 'is ' } }] } });
    // Each event the server wrote separately starts a chunk with its delay (a loaded machine may merge a few).
    expect(sse.filter((event) => event.delay_ms !== undefined).length).toBeGreaterThan(sse.length / 2);
    expect(results('record', 'raw-stream').fetched.length).toBeGreaterThan(3);
  });

  test('replays with the server stopped and no certificate trusted: same answers, same chunks, zero connections', async () => {
    const port = provider.port;
    await provider.close();
    // A fresh server on the same port counts any connection the replay would make.
    provider = await startFakeProvider(port, { tls });
    // Replay opens no TLS connection, so it needs no trust: NODE_EXTRA_CA_CERTS is left unset.
    const run = await fixture.run([], { RUN_LABEL: 'replay', PROVIDER_URL: `https://127.0.0.1:${port}` });
    expect(run.output).toContain('Tests:       6 passed, 6 total');
    expect(run.status).toBe(0);
    expect(provider.connections).toBe(0);
    for (const name of NAMES) expect({ name, result: results('replay', name) }).toEqual({ name, result: results('record', name) });
  });

  test('without NODE_EXTRA_CA_CERTS the recording requests fail certificate verification', async () => {
    const untrusted = createFixture('https-untrusted');
    try {
      untrusted.write('untrusted.test.js', UNTRUSTED_TEST);
      const before = provider.connections;
      const run = await untrusted.run([], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url });
      expect(run.output).toContain('Tests:       2 passed, 2 total');
      expect(run.status).toBe(0);
      // The handshake was attempted, and refused by the client.
      expect(provider.connections).toBeGreaterThan(before);
      expect(provider.requests.filter((r) => r.url.includes('untrusted'))).toEqual([]);
    } finally {
      untrusted.remove();
    }
  });
});
