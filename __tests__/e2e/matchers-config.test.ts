/**
 * Matchers and configuration (docs/configuration.md) end to end: the matcher chain,
 * ignoreVolatileFields and matchHeaders come from agenttape.config.json (or
 * testEnvironmentOptions.agenttape on top), a matcher function comes from
 * cassette.use(), and a bad configuration stops Jest with a ConfigError that
 * names the key.
 */
import { CONFIG_KEYS } from '../../src/config/config';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { createFixture, type FixtureProject } from '../support/packed-project';

const AGENT_TEST = `
const OpenAI = require('openai').default;
const { cassette } = require('agenttape');
const openai = new OpenAI({ baseURL: process.env.PROVIDER_URL + '/v1' });

test('agent', async () => {
  const res = await fetch(process.env.PROVIDER_URL + '/echo/search?q=weather&session=' + process.env.SESSION, { headers: { 'x-tenant': process.env.TENANT } });
  expect(res.status).toBe(200);
  const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: process.env.PROMPT }] });
  expect(completion.choices[0].message.content).toMatch(/rainy/);
  expect(cassette).toHaveReplayedAll();
});
`;

describe('matchers and configuration', () => {
  let provider: FakeProvider;
  let fixture: FixtureProject;
  let recordedConnections = 0;
  const base = { SESSION: 's1', TENANT: 'acme', PROMPT: 'What is the weather in London?' };

  beforeAll(async () => {
    provider = await startFakeProvider();
    fixture = createFixture('matchers-config');
    fixture.write('agent.test.js', AGENT_TEST);
    fixture.write('agenttape.config.json', JSON.stringify({ ignoreVolatileFields: ['session'] }));
    const run = await fixture.run([], { ...base, AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url, OPENAI_API_KEY: 'sk-test-key' });
    expect(run.output).toContain('Tests:       1 passed, 1 total');
    recordedConnections = provider.connections;
  });
  afterAll(async () => {
    await provider.close();
    fixture.remove();
  });

  const replay = (env: Record<string, string>) => fixture.run([], { ...base, PROVIDER_URL: provider.url, ...env });

  test('ignoreVolatileFields from the config file: a new session id still matches', async () => {
    const run = await replay({ SESSION: 's2' });
    expect(run.output).toContain('Tests:       1 passed, 1 total');
  });

  test('the default matcher misses a changed prompt; an ordered fallback serves it', async () => {
    const missed = await replay({ PROMPT: 'What is the weather in Paris?' });
    expect(missed.status).toBe(1);
    expect(missed.output).toContain('UnmatchedInteractionError: AgentTape: no recording matches');
    fixture.write('agenttape.config.json', JSON.stringify({ ignoreVolatileFields: ['session'], matchers: ['ignore_volatile', 'ordered'] }));
    const served = await replay({ PROMPT: 'What is the weather in Paris?' });
    expect(served.output).toContain('Tests:       1 passed, 1 total');
    expect(provider.connections).toBe(recordedConnections);
  });

  test('matchHeaders from testEnvironmentOptions.agenttape, on top of the file', async () => {
    fixture.write('agenttape.config.json', JSON.stringify({ ignoreVolatileFields: ['session'] }));
    fixture.write('jest.config.js', `module.exports = ${JSON.stringify({ preset: 'agenttape', rootDir: '.', testEnvironmentOptions: { agenttape: { matchHeaders: ['x-tenant'] } } })};\n`);
    expect((await replay({})).output).toContain('Tests:       1 passed, 1 total');
    const other = await replay({ TENANT: 'globex' });
    expect(other.status).toBe(1);
    expect(other.output).toContain('UnmatchedInteractionError: AgentTape: no recording matches');
  });

  test('an unknown key in the config file stops the run and names the key', async () => {
    fixture.write('agenttape.config.json', JSON.stringify({ freez: ['clock'] }));
    const run = await replay({});
    expect(run.status).toBe(1);
    expect(run.output).toContain('Unknown option "freez" in ');
    expect(run.output).toContain(`Valid keys: ${CONFIG_KEYS.join(', ')}.`);
  });

  test('a bad value in testEnvironmentOptions.agenttape names the key and the allowed values', async () => {
    fixture.write('agenttape.config.json', JSON.stringify({}));
    fixture.write('jest.config.js', `module.exports = ${JSON.stringify({ preset: 'agenttape', rootDir: '.', testEnvironmentOptions: { agenttape: { freeze: ['clock', 'network'] } } })};\n`);
    const run = await replay({});
    expect(run.status).toBe(1);
    expect(run.output).toContain('Invalid value "network" in "freeze" in testEnvironmentOptions.agenttape. Allowed values: clock, uuid, random.');
  });
});

describe('a matcher function from cassette.use()', () => {
  let provider: FakeProvider;
  let fixture: FixtureProject;

  beforeAll(async () => {
    provider = await startFakeProvider();
    fixture = createFixture('matchers-function');
    fixture.write(
      'search.test.js',
      `
const { cassette } = require('agenttape');
// Functions cannot travel through Jest's JSON configuration: a test sets them in code.
const bySearchTerm = (request) => new URL(request.url).searchParams.get('q');

test('search', async () => {
  if (!process.env.DEFAULT_MATCHERS) cassette.use({ matchers: [bySearchTerm] });
  const res = await fetch(process.env.PROVIDER_URL + '/echo/search?q=weather&page=' + process.env.PAGE);
  expect((await res.json()).path).toBe('/echo/search?q=weather&page=1');
  if (process.env.LATE) cassette.use({ matchers: ['ordered'] });
});
`,
    );
    const run = await fixture.run([], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url, PAGE: '1' });
    expect(run.output).toContain('Tests:       1 passed, 1 total');
  });
  afterAll(async () => {
    await provider.close();
    fixture.remove();
  });

  test('serves a request that differs only where the function does not look; the default chain misses it', async () => {
    const before = provider.connections;
    const served = await fixture.run([], { PROVIDER_URL: provider.url, PAGE: '2' });
    expect(served.output).toContain('Tests:       1 passed, 1 total');
    expect(served.status).toBe(0);
    const missed = await fixture.run([], { PROVIDER_URL: provider.url, PAGE: '2', DEFAULT_MATCHERS: '1' });
    expect(missed.status).toBe(1);
    expect(missed.output).toContain('UnmatchedInteractionError: AgentTape: no recording matches');
    expect(provider.connections).toBe(before);
  });

  test('set after the first request, it is a ConfigError', async () => {
    const run = await fixture.run([], { PROVIDER_URL: provider.url, PAGE: '1', LATE: '1' });
    expect(run.status).toBe(1);
    expect(run.output).toContain('ConfigError: "matchers" in cassette.use() came after this test\'s first request');
  });
});
