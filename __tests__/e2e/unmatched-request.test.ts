/**
 * Unmatched requests end to end: a request the cassette does not hold fails the test with
 * the field path of the change, the cassette, the mode and the re-record
 * command — even when the agent swallows the error, even outside any test —
 * never reaches the network, makes the openai client give up after one
 * attempt, and leaves the cassette byte-identical.
 */
import { createFixture, type FixtureProject } from '../support/packed-project';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { runJson, snapshotFiles, type JsonRun } from '../support/jest-json';
const { OPENAI_RECORDING_KEY, ANTHROPIC_RECORDING_KEY } = require('../fixtures/secrets/fake-keys.js') as Record<string, string>;

const PROMPT_TEST = `
const fs = require('node:fs');
const path = require('node:path');
const OpenAI = require('openai').default;
const Anthropic = require('@anthropic-ai/sdk').default;
const { UnmatchedInteractionError } = require('agenttape');

const base = process.env.PROVIDER_URL;
const city = process.env.CITY;
const attempts = { openai: 0, swallowedOpenai: 0, anthropic: 0 };
const counting = (name) => (url, init) => {
  attempts[name]++;
  return fetch(url, init);
};
const openai = new OpenAI({ baseURL: base + '/v1', fetch: counting('openai') });
const swallowingOpenai = new OpenAI({ baseURL: base + '/v1', fetch: counting('swallowedOpenai') });
const anthropic = new Anthropic({ baseURL: base, fetch: counting('anthropic') });
const caught = {};

afterAll(() => fs.writeFileSync(path.join(__dirname, 'observed.json'), JSON.stringify({ attempts, caught })));

describe('prompt', () => {
  test('openai', async () => {
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is the weather in ' + city + '?' }] });
    expect(completion.choices[0].message.content).toMatch(/rainy/);
  });
  test('anthropic', async () => {
    const message = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'Weather in ' + city + '?' }] });
    expect(message.content[0].text).toMatch(/rainy/);
  });
  test('fetch', async () => {
    const res = await fetch(base + '/echo/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Weather in ' + city + '?' }] }),
    });
    expect(res.status).toBe(200);
  });
  test('swallowed fetch error', async () => {
    let answer;
    try {
      await fetch(base + '/echo/swallow?city=' + city);
      answer = 'live';
    } catch (error) {
      caught.fetch = { unmatched: error instanceof UnmatchedInteractionError, code: error.code, causeCode: error.cause && error.cause.code };
      answer = 'fallback';
    }
    expect(['live', 'fallback']).toContain(answer);
  });
  test('swallowed openai error', async () => {
    let answer;
    try {
      const completion = await swallowingOpenai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Swallow ' + city }] });
      answer = completion.choices[0].message.content;
    } catch (error) {
      caught.openai = { name: error.constructor.name, status: error.status };
      answer = 'fallback';
    }
    expect(typeof answer).toBe('string');
  });
});
`;

const MODULE_SCOPE_TEST = `
const base = process.env.PROVIDER_URL;
// A request made while the module loads, swallowed; the hook only waits for it.
const pending = fetch(base + '/echo/module?city=' + process.env.CITY).catch(() => 'swallowed');
beforeAll(() => pending);
test('passes on its own', () => {
  expect(1).toBe(1);
});
`;

const BEFORE_ALL_TEST = `
const base = process.env.PROVIDER_URL;
beforeAll(async () => {
  try {
    await fetch(base + '/echo/before-all?city=' + process.env.CITY);
  } catch {
    // the agent's own fallback
  }
});
test('passes on its own', () => {
  expect(1).toBe(1);
});
`;

interface Observed {
  attempts: { openai: number; swallowedOpenai: number; anthropic: number };
  caught: { fetch?: { unmatched: boolean; code: string }; openai?: { name: string; status: number } };
}

describe('a request the cassette does not hold', () => {
  let provider: FakeProvider;
  let fixture: FixtureProject;
  let recorded: Record<string, string>;
  let replay: JsonRun;
  let connectionsDuringReplay: number;

  beforeAll(async () => {
    provider = await startFakeProvider();
    fixture = createFixture('unmatched');
    fixture.write('prompt.test.js', PROMPT_TEST);
    fixture.write('module-scope.test.js', MODULE_SCOPE_TEST);
    fixture.write('before-all.test.js', BEFORE_ALL_TEST);
    const record = await runJson(fixture, ['--maxWorkers=1'], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url, CITY: 'London', OPENAI_API_KEY: OPENAI_RECORDING_KEY, ANTHROPIC_API_KEY: ANTHROPIC_RECORDING_KEY });
    if (record.status !== 0) throw new Error(`The record run failed:\n${record.output}`);
    recorded = snapshotFiles(fixture, 'cassettes');
    const before = provider.connections;
    replay = await runJson(fixture, ['--maxWorkers=1'], { PROVIDER_URL: provider.url, CITY: 'Paris' });
    connectionsDuringReplay = provider.connections - before;
  });
  afterAll(async () => {
    await provider.close();
    fixture.remove();
  });

  test('the record run wrote one cassette per test and one per file for requests outside tests', () => {
    expect(Object.keys(recorded)).toEqual([
      'before-all.test.js/__file__.yaml',
      'module-scope.test.js/__file__.yaml',
      'prompt.test.js/prompt anthropic.yaml',
      'prompt.test.js/prompt fetch.yaml',
      'prompt.test.js/prompt openai.yaml',
      'prompt.test.js/prompt swallowed fetch error.yaml',
      'prompt.test.js/prompt swallowed openai error.yaml',
    ]);
  });

  test('a changed openai prompt fails with the field path, the cassette, the mode and the re-record command', () => {
    const result = replay.test('prompt openai');
    expect(result.status).toBe('failed');
    const message = result.failureMessages.join('\n');
    // 127.0.0.1 is not a known LLM host, so the openai call is an http interaction here.
    expect(message).toContain('AgentTape: no recording matches this http request; it was not sent.');
    expect(message).toContain("json.messages[0].content: expected 'What is the weather in London?', received 'What is the weather in Paris?'");
    expect(message).toContain(`Cassette: ${fixture.dir}/cassettes/prompt.test.js/prompt openai.yaml`);
    expect(message).toContain('Mode:     none (replay only; from default)');
    expect(message).toContain('AGENTTAPE_MODE=record npx jest prompt.test.js -t "^prompt openai$"');
  });

  test('a changed plain fetch body fails the same way', () => {
    const message = replay.test('prompt fetch').failureMessages.join('\n');
    expect(replay.test('prompt fetch').status).toBe('failed');
    expect(message).toContain('AgentTape: no recording matches this http request; it was not sent.');
    expect(message).toContain("json.messages[0].content: expected 'Weather in London?', received 'Weather in Paris?'");
    expect(message).toContain('Boundary: http 127.0.0.1');
    expect(message).toContain(`Cassette: ${fixture.dir}/cassettes/prompt.test.js/prompt fetch.yaml`);
    expect(message).toContain('AGENTTAPE_MODE=record npx jest prompt.test.js -t "^prompt fetch$"');
  });

  test('a changed query string is reported by its URL', () => {
    const message = replay.test('prompt swallowed fetch error').failureMessages.join('\n');
    expect(message).toContain(`url: expected '${provider.url}/echo/swallow?city=London', received '${provider.url}/echo/swallow?city=Paris'`);
  });

  test('an error the agent swallows still fails its test with our message', () => {
    const observed = JSON.parse(fixture.read('observed.json')) as Observed;
    // The agent code caught the error and carried on…
    expect(observed.caught.fetch).toEqual({ unmatched: true, code: 'ERR_AGENTTAPE_UNMATCHED' });
    // The SDK saw a 400 it must not retry (a BadRequestError), not a connection error.
    expect(observed.caught.openai).toEqual({ name: 'BadRequestError', status: 400 });
    // …but both tests are reported failed, with the full explanation.
    for (const name of ['prompt swallowed fetch error', 'prompt swallowed openai error']) {
      const result = replay.test(name);
      expect(result.status).toBe('failed');
      expect(result.failureMessages.join('\n')).toContain('AgentTape: no recording matches this');
    }
    expect(replay.test('prompt swallowed openai error').failureMessages.join('\n')).toContain("json.messages[0].content: expected 'Swallow London', received 'Swallow Paris'");
  });

  test('the openai and Anthropic clients make exactly one attempt on a miss: no retries', () => {
    const observed = JSON.parse(fixture.read('observed.json')) as Observed;
    expect(observed.attempts).toEqual({ openai: 1, swallowedOpenai: 1, anthropic: 1 });
    const message = replay.test('prompt anthropic').failureMessages.join('\n');
    expect(replay.test('prompt anthropic').status).toBe('failed');
    expect(message).toContain("json.messages[0].content: expected 'Weather in London?', received 'Weather in Paris?'");
  });

  test('a miss through the openai or Anthropic client fails its test in well under a second', () => {
    // With their default two retries the clients would sleep 0.5 s then 1 s, less up to 25% jitter (at least
    // 1.125 s in all), so one second separates "gave up at once" from "retried", even on a loaded machine.
    const durations = ['prompt openai', 'prompt swallowed openai error', 'prompt anthropic'].map((name) => ({ name, duration: replay.test(name).duration }));
    expect(durations.every(({ duration }) => typeof duration === 'number')).toBe(true);
    expect(durations.filter(({ duration }) => duration! >= 1000)).toEqual([]);
  });

  test('a miss at module scope or in beforeAll fails the file', () => {
    for (const file of ['module-scope.test.js', 'before-all.test.js']) {
      const result = replay.file(file);
      expect(result.status).toBe('failed');
      expect(result.message).toContain('AgentTape: no recording matches this http request; it was not sent.');
      expect(result.message).toContain('Test:     (outside any test)');
      expect(result.message).toContain(`AGENTTAPE_MODE=record npx jest ${file}`);
    }
    expect(replay.file('before-all.test.js').message).toContain('/echo/before-all?city=Paris');
    expect(replay.file('module-scope.test.js').message).toContain('/echo/module?city=Paris');
  });

  test('nothing reached the network, the run failed, and every cassette is byte-identical', () => {
    expect(connectionsDuringReplay).toBe(0);
    expect(replay.status).toBe(1);
    expect(snapshotFiles(fixture, 'cassettes')).toEqual(recorded);
  });
});
