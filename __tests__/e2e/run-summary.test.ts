/**
 * The run summary and obsolete cassettes, end to end: a fixture project
 * records, replays, loses a test, skips one, filters with -t, misses a
 * request; the AgentTape lines of Jest's summary say what happened, and
 * `agenttape prune` (the installed binary) removes exactly what no test uses.
 */
import { createFixture, type FixtureProject } from '../support/packed-project';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { runPackedAgentTape } from '../support/cli';
const { OPENAI_RECORDING_KEY } = require('../fixtures/secrets/fake-keys.js') as Record<string, string>;

function agentTest(options: { withOld: boolean; skipFetch?: boolean; extraRequest?: boolean }): string {
  return `
const OpenAI = require('openai').default;
const base = process.env.PROVIDER_URL;
// The model is reached as localhost (configured as an LLM host); plain HTTP goes to 127.0.0.1.
const openai = new OpenAI({ baseURL: base.replace('127.0.0.1', 'localhost') + '/v1', apiKey: process.env.OPENAI_API_KEY });

describe('agent', () => {
  test${options.skipFetch ? '.skip' : ''}('fetch', async () => {
    const res = await fetch(base + '/echo/fetch');
    expect(res.status).toBe(200);
    await res.text();
  });
  test('openai', async () => {
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather?' }] });
    expect(completion.choices[0].message.content).toMatch(/rainy/);
    ${options.extraRequest ? "await fetch(base + '/echo/never-recorded').catch(() => undefined);" : ''}
  });
  ${options.withOld ? "test('old', async () => { await (await fetch(base + '/echo/old')).text(); });" : ''}
});
`;
}

const SUMMARY_CONFIG = { testEnvironmentOptions: { agenttape: { llmHosts: ['localhost'] } } };

describe('run summary and obsolete cassettes', () => {
  let provider: FakeProvider;
  let fixture: FixtureProject;

  beforeAll(async () => {
    provider = await startFakeProvider();
    fixture = createFixture('run-summary', SUMMARY_CONFIG);
    fixture.write('agent.test.js', agentTest({ withOld: true }));
  });
  afterAll(async () => {
    await provider.close();
    fixture.remove();
  });

  const run = (args: string[] = [], env: Record<string, string> = {}) => fixture.run(args, { PROVIDER_URL: provider.url, ...env });

  test('recording: the summary counts what was recorded', async () => {
    const result = await run([], { AGENTTAPE_MODE: 'record', OPENAI_API_KEY: OPENAI_RECORDING_KEY });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('AgentTape Summary\n › 0 interactions replayed, 3 recorded, in 1 test suite.\n');
    expect(fixture.files('cassettes')).toEqual(['agent.test.js/agent fetch.yaml', 'agent.test.js/agent old.yaml', 'agent.test.js/agent openai.yaml']);
  });

  test("replay: interactions, LLM calls and tokens served from cassettes, in Jest's summary", async () => {
    const result = await run();
    expect(result.status).toBe(0);
    // Like Jest's Snapshot Summary, it comes right before the Test Suites line.
    expect(result.stderr).toContain('AgentTape Summary\n › 3 interactions replayed, 0 recorded, in 1 test suite.\n › 1 LLM call (21 tokens) served from cassettes.\nTest Suites: 1 passed, 1 total');
  });

  test('a removed test leaves an obsolete cassette; skipped and -t-filtered tests do not', async () => {
    fixture.write('agent.test.js', agentTest({ withOld: false, skipFetch: true }));
    const result = await run();
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(' › 1 cassette file is obsolete: no test uses it. To remove it, run `npx agenttape prune --yes`.\n   ↳ cassettes/agent.test.js/agent old.yaml\n');
    expect(result.stderr).not.toContain('agent fetch.yaml');

    fixture.write('agent.test.js', agentTest({ withOld: false }));
    const filtered = await run(['-t', 'openai']);
    expect(filtered.output).toContain('Tests:       1 skipped, 1 passed, 2 total');
    expect(filtered.stderr).toContain('   ↳ cassettes/agent.test.js/agent old.yaml\n');
    expect(filtered.stderr).not.toContain('agent fetch.yaml');
  });

  test('an unmatched request is counted', async () => {
    fixture.write('agent.test.js', agentTest({ withOld: false, extraRequest: true }));
    const result = await run();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(' › 1 unmatched request: it failed its test and never reached the network.\n');
    fixture.write('agent.test.js', agentTest({ withOld: false }));
  });

  test('agenttape prune lists the obsolete cassette, --yes deletes only it, and the suite still replays', async () => {
    const kept = { fetch: fixture.read('cassettes/agent.test.js/agent fetch.yaml'), openai: fixture.read('cassettes/agent.test.js/agent openai.yaml') };
    const dry = runPackedAgentTape(['prune'], fixture.dir);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toBe('1 obsolete cassettes (dry run, nothing deleted; add --yes to delete them):\n  cassettes/agent.test.js/agent old.yaml\n');
    expect(fixture.exists('cassettes/agent.test.js/agent old.yaml')).toBe(true);
    const wet = runPackedAgentTape(['prune', '--yes'], fixture.dir);
    expect(wet.stdout).toBe('deleted 1 obsolete cassettes:\n  cassettes/agent.test.js/agent old.yaml\n');
    expect(fixture.files('cassettes')).toEqual(['agent.test.js/agent fetch.yaml', 'agent.test.js/agent openai.yaml']);
    expect(fixture.read('cassettes/agent.test.js/agent fetch.yaml')).toBe(kept.fetch);
    expect(fixture.read('cassettes/agent.test.js/agent openai.yaml')).toBe(kept.openai);
    const result = await run();
    expect(result.status).toBe(0);
    expect(result.stderr).not.toContain('obsolete');
    expect(runPackedAgentTape(['prune'], fixture.dir).stdout).toBe('no obsolete cassettes (2 in use)\n');
  });
});
