/**
 * The foundation, end to end: a fixture project installed from the packed
 * tarball records fetch, http, axios, openai and Anthropic calls against a
 * local server, then replays them with the server stopped.
 */
import { createFixture, type FixtureProject } from '../support/packed-project';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
const { OPENAI_RECORDING_KEY, ANTHROPIC_RECORDING_KEY } = require('../fixtures/secrets/fake-keys.js') as Record<string, string>;

const AGENT_TEST = `
const http = require('node:http');
const axios = require('axios');
const OpenAI = require('openai').default;
const Anthropic = require('@anthropic-ai/sdk').default;
const { cassette } = require('agenttape');

const base = process.env.PROVIDER_URL;
const openai = new OpenAI({ baseURL: base + '/v1' });
const anthropic = new Anthropic({ baseURL: base });
const prompt = process.env.PROMPT || 'What is the weather in London?';

function httpGet(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(data) }));
    }).on('error', reject);
  });
}

describe('agent', () => {
  test('fetch', async () => {
    const res = await fetch(base + '/echo/fetch?b=2&a=1', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt }) });
    const body = await res.json();
    expect(body.body).toBe(JSON.stringify({ prompt }));
    expect(cassette).toHaveReplayedAll();
  });
  test('node http', async () => {
    const res = await httpGet(base + '/echo/http');
    expect(res.status).toBe(200);
    expect(res.body.path).toBe('/echo/http');
  });
  test('axios', async () => {
    const res = await axios.post(base + '/echo/axios', { prompt });
    expect(res.data.path).toBe('/echo/axios');
  });
  test('unusual status', async () => {
    const res = await fetch(base + '/status/217');
    expect(res.status).toBe(217);
  });
  test('openai', async () => {
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] });
    expect(completion.choices[0].message.content).toMatch(/rainy/);
    expect(cassette).toHaveReplayedAll();
  });
  test('anthropic', async () => {
    const message = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: prompt }] });
    expect(message.content[0].text).toMatch(/rainy/);
  });
});
`;

describe('record, then replay offline', () => {
  let provider: FakeProvider;
  let fixture: FixtureProject;

  beforeAll(async () => {
    provider = await startFakeProvider();
    fixture = createFixture('record-replay');
    fixture.write('agent.test.js', AGENT_TEST);
  });
  afterAll(async () => {
    await provider.close();
    fixture.remove();
  });

  test('records every client into one readable cassette per test', async () => {
    const run = await fixture.run([], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url, OPENAI_API_KEY: OPENAI_RECORDING_KEY, ANTHROPIC_API_KEY: ANTHROPIC_RECORDING_KEY });
    expect(run.output).toContain('Tests:       6 passed, 6 total');
    expect(run.status).toBe(0);
    expect(fixture.files('cassettes')).toEqual([
      'agent.test.js/agent anthropic.yaml',
      'agent.test.js/agent axios.yaml',
      'agent.test.js/agent fetch.yaml',
      'agent.test.js/agent node http.yaml',
      'agent.test.js/agent openai.yaml',
      'agent.test.js/agent unusual status.yaml',
    ]);
    const openai = fixture.read('cassettes/agent.test.js/agent openai.yaml');
    expect(openai).toContain('content: What is the weather in London?');
    expect(openai).toContain('total_tokens: 21');
    for (const file of fixture.files('cassettes')) {
      const text = fixture.read(`cassettes/${file}`);
      expect(text).not.toMatch(/sk-proj-|sk-ant-|authorization|x-api-key/i);
    }
  });

  test('replays with the provider stopped: every test passes and nothing reaches its port', async () => {
    const port = provider.port;
    await provider.close();
    // A fresh server on the same port counts any connection the replay would make.
    provider = await startFakeProvider(port);
    const run = await fixture.run([], { PROVIDER_URL: `http://127.0.0.1:${port}` });
    expect(run.output).toContain('Tests:       6 passed, 6 total');
    expect(run.status).toBe(0);
    expect(provider.connections).toBe(0);
  });
});
