/**
 * Without the preset, end to end: the package works without the preset, from its
 * `agenttape/environment` and `agenttape/matchers` exports, and outside the
 * AgentTape environment every export is inert.
 */
import { createFixture, type FixtureProject } from '../support/packed-project';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { runJson } from '../support/jest-json';

const AGENT_TEST = `
const { cassette } = require('agenttape');
test('agent', async () => {
  const res = await fetch(process.env.PROVIDER_URL + '/echo/agent', { method: 'POST', body: 'hello' });
  expect((await res.json()).path).toBe('/echo/agent');
  expect(cassette.active).toBe(true);
  expect(cassette).toHaveReplayedAll();
});
`;

const INERT_TEST = `
const { cassette, tool, recordCall } = require('agenttape');
const add = tool('add', async (a, b) => a + b);
test('tool wrappers and recordCall call through; the handle says no cassette is active', async () => {
  expect(await add(2, 3)).toBe(5);
  expect(await recordCall('tool', { name: 'double', args: [4] }, async () => 8)).toBe(8);
  expect(cassette.active).toBe(false);
  expect(cassette.path).toBeUndefined();
  expect(cassette.steps).toEqual([]);
  expect(cassette.unused()).toEqual([]);
  expect(() => cassette.use({ mode: 'all' })).not.toThrow();
});
test('the matcher explains that no cassette is active', () => {
  expect(cassette).toHaveReplayedAll();
});
`;

describe('without the preset', () => {
  let provider: FakeProvider;
  let fixture: FixtureProject;

  beforeAll(async () => {
    provider = await startFakeProvider();
    // preset: undefined drops the key: this project names the two exports itself.
    fixture = createFixture('without-preset', { preset: undefined, testEnvironment: 'agenttape/environment', setupFilesAfterEnv: ['agenttape/matchers'] });
    fixture.write('agent.test.js', AGENT_TEST);
  });
  afterAll(async () => {
    await provider.close();
    fixture.remove();
  });

  test('agenttape/environment and agenttape/matchers record, then replay with no request sent', async () => {
    expect(fixture.read('jest.config.js')).not.toContain('preset');
    const record = await runJson(fixture, [], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url });
    expect(record.test('agent').status).toBe('passed');
    expect(fixture.files('cassettes')).toEqual(['agent.test.js/agent.yaml']);
    expect(fixture.read('cassettes/agent.test.js/agent.yaml')).toContain('text: hello');

    const before = provider.requests.length;
    const replay = await runJson(fixture, [], { PROVIDER_URL: provider.url });
    expect(replay.test('agent').status).toBe('passed');
    expect(provider.requests.length).toBe(before);
  });
});

describe('outside the AgentTape environment', () => {
  let fixture: FixtureProject;
  beforeAll(() => {
    fixture = createFixture('inert', { preset: undefined, testEnvironment: 'node', setupFilesAfterEnv: ['agenttape/matchers'] });
    fixture.write('inert.test.js', INERT_TEST);
  });
  afterAll(() => fixture.remove());

  test('every export is inert: wrappers call through, and the matcher says no cassette is active', async () => {
    const run = await runJson(fixture, [], { AGENTTAPE_MODE: 'record' });
    expect(run.test('tool wrappers and recordCall call through; the handle says no cassette is active').status).toBe('passed');
    const matcher = run.test('the matcher explains that no cassette is active');
    expect(matcher.status).toBe('failed');
    expect(matcher.failureMessages.join('\n')).toContain('No cassette is active: this test file does not run in the AgentTape environment.');
    expect(fixture.files('cassettes')).toEqual([]);
  });
});
