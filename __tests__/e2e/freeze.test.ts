/**
 * The freeze (docs/configuration.md) end to end: a prompt built from `new Date()`, `crypto.randomUUID()`
 * (global and `node:crypto`) and `Math.random()` is recorded, then replayed by
 * a later Jest process with a different real clock without a miss; Jest fake
 * timers keep working with the freeze on; `freeze: []` turns it off (and then
 * the same test misses); an environment variable that drifted is reported; the
 * shared crypto objects are put back for the next test file of the process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseYaml as parse } from '../support/yaml-text';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { createFixture, type FixtureProject } from '../support/packed-project';

const AGENT_TEST = `
const fs = require('node:fs');
const nodeCrypto = require('node:crypto');
const OpenAI = require('openai').default;
const { cassette } = require('agenttape');

const openai = new OpenAI({ baseURL: process.env.PROVIDER_URL + '/v1' });
const note = (line) => fs.appendFileSync(process.env.NOTES_FILE, line + '\\n');

async function ask(prompt) {
  const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] });
  return completion.choices[0].message.content;
}

test('a prompt with the time, UUIDs and random numbers', async () => {
  const prompt = 'At ' + new Date().toISOString() + ' (' + Date.now() + '), request ' + crypto.randomUUID() + ' / ' + nodeCrypto.randomUUID() + ', dice ' + Math.random();
  note('prompt ' + prompt);
  expect(await ask(prompt)).toMatch(/rainy/);
  expect(cassette).toHaveReplayedAll();
  // The clock stays put; dates built from arguments, timers and performance.now are real.
  expect(new Date().getTime()).toBe(Date.now());
  expect(new Date(2020, 0, 2).getFullYear()).toBe(2020);
  expect(new Date() instanceof Date).toBe(true);
  expect(typeof Date()).toBe('string');
  const before = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 30));
  expect(performance.now() - before).toBeGreaterThanOrEqual(25);
});

test('jest fake timers drive the clock from the frozen time', async () => {
  const frozen = Date.now();
  jest.useFakeTimers();
  expect(Date.now()).toBe(frozen);
  let fired = false;
  setTimeout(() => { fired = true; }, 60_000);
  jest.advanceTimersByTime(60_000);
  expect(fired).toBe(true);
  expect(Date.now()).toBe(frozen + 60_000);
  const prompt = 'A minute later it is ' + new Date().toISOString() + ', id ' + crypto.randomUUID();
  note('fake ' + prompt);
  expect(await ask(prompt)).toMatch(/rainy/);
  jest.useRealTimers();
  expect(Date.now()).toBe(frozen);
});
`;

function readNotes(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : [];
}

describe('freeze: record, then replay in a later process', () => {
  let provider: FakeProvider;
  let fixture: FixtureProject;
  const notes = { record: '', replay: '' };

  beforeAll(async () => {
    provider = await startFakeProvider();
    fixture = createFixture('freeze', { testEnvironmentOptions: { agenttape: { envSnapshot: ['MODEL_TIER'] } } });
    fixture.write('agent.test.js', AGENT_TEST);
    notes.record = path.join(fixture.dir, 'record-notes.txt');
    notes.replay = path.join(fixture.dir, 'replay-notes.txt');
  });
  afterAll(async () => {
    await provider.close();
    fixture.remove();
  });

  test('records the base values in meta.freeze', async () => {
    const run = await fixture.run([], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url, NOTES_FILE: notes.record, MODEL_TIER: 'large', OPENAI_API_KEY: 'sk-test-key' });
    expect(run.output).toContain('Tests:       2 passed, 2 total');
    const doc = parse(fixture.read('cassettes/agent.test.js/a prompt with the time, UUIDs and random numbers.yaml'));
    const freeze = doc.meta.freeze;
    expect(freeze.features).toEqual(['clock', 'uuid', 'random']);
    expect(freeze.base_time * 1000).toBe(Date.parse(freeze.base_iso));
    expect(freeze.uuids).toHaveLength(2);
    expect(typeof freeze.random_seed).toBe('number');
    expect(freeze.env).toEqual({ MODEL_TIER: 'large' });
    const [prompt] = readNotes(notes.record);
    expect(prompt).toContain(`At ${freeze.base_iso} (${Date.parse(freeze.base_iso)}), request ${freeze.uuids[0]} / ${freeze.uuids[1]}, dice 0.`);
  });

  test('a later process replays without a miss and sees the same values; drift is reported', async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const port = provider.port;
    await provider.close();
    provider = await startFakeProvider(port);
    const run = await fixture.run([], { PROVIDER_URL: provider.url, NOTES_FILE: notes.replay, MODEL_TIER: 'small' });
    expect(run.output).toContain('Tests:       2 passed, 2 total');
    expect(run.status).toBe(0);
    expect(provider.connections).toBe(0);
    expect(readNotes(notes.replay)).toEqual(readNotes(notes.record));
    expect(run.output).toContain('AgentTape: environment drift in MODEL_TIER: recorded "large", now "small".');
    // The host's own record command, naming the file (and the test when a test's tape drifted).
    expect(run.output).toMatch(/Re-record \(AGENTTAPE_MODE=record npx jest \S+\.test\.js/);
    // Once per variable and value in a file, not once per test.
    expect(run.output.split('environment drift in MODEL_TIER').length - 1).toBe(1);
  });

  test('no drift warning when the variable is unchanged', async () => {
    const run = await fixture.run([], { PROVIDER_URL: provider.url, NOTES_FILE: path.join(fixture.dir, 'same.txt'), MODEL_TIER: 'large' });
    expect(run.status).toBe(0);
    expect(run.output).not.toContain('environment drift');
  });
});

describe('freeze: []', () => {
  let provider: FakeProvider;
  let fixture: FixtureProject;

  beforeAll(async () => {
    provider = await startFakeProvider();
    fixture = createFixture('freeze-off');
    fixture.write('agenttape.config.json', JSON.stringify({ freeze: [] }));
    fixture.write(
      'agent.test.js',
      `
const OpenAI = require('openai').default;
const openai = new OpenAI({ baseURL: process.env.PROVIDER_URL + '/v1' });
test('the real clock', async () => {
  const first = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(Date.now()).toBeGreaterThan(first);
  await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'It is ' + new Date().toISOString() }] });
});
`,
    );
  });
  afterAll(async () => {
    await provider.close();
    fixture.remove();
  });

  test('leaves Date real, writes no base values, and a time-stamped prompt then misses on replay', async () => {
    const record = await fixture.run([], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url, OPENAI_API_KEY: 'sk-test-key' });
    expect(record.output).toContain('Tests:       1 passed, 1 total');
    const doc = parse(fixture.read('cassettes/agent.test.js/the real clock.yaml'));
    expect(doc.meta.freeze).toEqual({ features: [] });
    const replay = await fixture.run([], { PROVIDER_URL: provider.url });
    expect(replay.status).toBe(1);
    expect(replay.output).toContain('ERR_AGENTTAPE_UNMATCHED');
  });
});

describe('freeze: restored after the test file', () => {
  let fixture: FixtureProject;

  beforeAll(() => {
    // Both files run in one process (-i), in name order: what the first patched must be gone for the second.
    fixture = createFixture('freeze-restore', { testSequencer: './by-name-sequencer.js' });
    fixture.write(
      'by-name-sequencer.js',
      `
const Sequencer = require('@jest/test-sequencer').default;
module.exports = class ByName extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => a.path.localeCompare(b.path));
  }
};
`,
    );
    fixture.write(
      'a-frozen.test.js',
      `
const nodeCrypto = require('node:crypto');
test('frozen inside the AgentTape environment', async () => {
  const first = [Date.now(), crypto.randomUUID(), nodeCrypto.randomUUID()];
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(Date.now()).toBe(first[0]);
  require('node:fs').writeFileSync(process.env.UUIDS_FILE, JSON.stringify(first.slice(1)));
});
`,
    );
    fixture.write(
      'b-plain.test.js',
      `/**
 * @jest-environment node
 */
const nodeCrypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const shape = "const c = require('node:crypto'); console.log(JSON.stringify([String(c.randomUUID), String(globalThis.crypto.randomUUID), Object.getOwnPropertyNames(globalThis.crypto)]))";

test('the shared crypto objects are as in a fresh Node process', () => {
  const pristine = JSON.parse(execFileSync(process.execPath, ['-e', shape], { encoding: 'utf8' }));
  expect([String(nodeCrypto.randomUUID), String(globalThis.crypto.randomUUID), Object.getOwnPropertyNames(globalThis.crypto)]).toEqual(pristine);
  const frozen = JSON.parse(require('node:fs').readFileSync(process.env.UUIDS_FILE, 'utf8'));
  const now = [crypto.randomUUID(), nodeCrypto.randomUUID()];
  expect(now[0]).not.toBe(now[1]);
  for (const uuid of now) expect(frozen).not.toContain(uuid);
});
`,
    );
  });
  afterAll(() => fixture.remove());

  test('a later test file in the same process sees the real crypto.randomUUID (global and node:crypto)', async () => {
    const run = await fixture.run(['-i'], { UUIDS_FILE: path.join(fixture.dir, 'uuids.json'), AGENTTAPE_MODE: 'record' });
    expect(run.output).toContain('Tests:       2 passed, 2 total');
    expect(run.output.indexOf('a-frozen.test.js')).toBeLessThan(run.output.indexOf('b-plain.test.js'));
    expect(run.status).toBe(0);
  });
});
