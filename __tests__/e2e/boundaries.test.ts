/**
 * Agent boundaries end to end (docs/boundaries.md): a tool with a real side
 * effect runs once across a record run and ten replays; a recorded error is
 * thrown again; `live: ['llm']` sees a changed model answer while tools stay
 * frozen and the original cassette stays byte-identical (per test, docblock and
 * config); `frozen` (per test, docblock and config) serves recorded tools while
 * recording and refuses a new tool call without running it; the same agent runs under `useCassette`
 * in a plain Node script.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runNodeScript } from '../support/node-script';
import { createFixture, type FixtureProject } from '../support/packed-project';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
const { OPENAI_RECORDING_KEY } = require('../fixtures/secrets/fake-keys.js') as Record<string, string>;

const AGENT = `
const fs = require('node:fs');
const OpenAI = require('openai').default;
const { tool, retrieval } = require('agenttape');

function createAgent({ baseURL, sideEffectFile }) {
  const openai = new OpenAI({ baseURL: baseURL + '/v1', apiKey: ${JSON.stringify(OPENAI_RECORDING_KEY)} });
  // A real side effect, and a nested HTTP call that must not be recorded a second time.
  const logQuestion = tool('log_question', async (question, at) => {
    fs.appendFileSync(sideEffectFile, 'log_question ' + question + '\\n');
    await (await fetch(baseURL + '/echo/nested')).json();
    return { logged: true, at, seen: new Set([question]), meta: new Map([['count', 1n]]) };
  });
  // Synchronous, and it throws for an unknown city.
  const lookupCity = retrieval('lookup_city', (city) => {
    fs.appendFileSync(sideEffectFile, 'lookup_city ' + city + '\\n');
    if (city === 'Atlantis') throw new RangeError('No such city: ' + city);
    return { city, tempC: 14 };
  });
  async function ask(question, city = 'London') {
    const logged = await logQuestion(question, new Date('2024-05-01T10:00:00.000Z'));
    const place = lookupCity(city);
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: question + ' (' + place.city + ', ' + place.tempC + ' C)' }],
    });
    return { answer: completion.choices[0].message.content, logged, place };
  }
  return { ask, lookupCity };
}
module.exports = { createAgent };
`;

const AGENT_TEST = `
const path = require('node:path');
const { cassette, tool } = require('agenttape');
const { createAgent } = require('./agent');

const agent = createAgent({ baseURL: process.env.PROVIDER_URL, sideEffectFile: path.join(__dirname, 'side-effects.log') });

test('call order', () => {
  const plan = tool('plan', () => 'planned');
  const act = tool('act', () => 'acted');
  if (process.env.SWAP) {
    act();
    plan();
  } else {
    plan();
    act();
  }
  if (process.env.SWAP) expect(cassette).not.toMatchRecording();
  else expect(() => expect(cassette).not.toMatchRecording()).toThrow(/Expected this run to differ from the recording, but its 2 interaction.s. are the same, in the same order/);
  expect(cassette).toMatchRecording();
});

test('weather agent', async () => {
  if (process.env.LIVE) cassette.use({ live: process.env.LIVE.split(',') });
  if (process.env.FROZEN) cassette.use({ frozen: process.env.FROZEN.split(',') });
  const result = await agent.ask(process.env.QUESTION || 'What is the weather?');
  expect(result.answer).toBe(process.env.EXPECTED_ANSWER);
  expect(result.logged.at).toBeInstanceOf(Date);
  expect(result.logged.at.toISOString()).toBe('2024-05-01T10:00:00.000Z');
  expect(result.logged.seen).toEqual(new Set(['What is the weather?']));
  expect(result.logged.meta.get('count')).toBe(1n);
  expect(cassette).toHaveCalledTools(['log_question', 'lookup_city']);
  expect(cassette).not.toHaveCalledTools(['lookup_city']);
  expect(() => expect(cassette).toHaveCalledTools(['lookup_city'])).toThrow(/Expected tools[\\s\\S]*Called tools[\\s\\S]*log_question/);
  expect(cassette).toMatchRecording();
  // A live LLM call leaves its recording unused.
  if (!cassette.steps.some((step) => step.source === 'live')) expect(cassette).toHaveReplayedAll();
});

test('a failing tool throws the same error on replay', () => {
  let caught;
  try {
    agent.lookupCity('Atlantis');
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(RangeError);
  expect(caught.name).toBe('RangeError');
  expect(caught.message).toBe('No such city: Atlantis');
  const paris = agent.lookupCity('Paris');
  expect(typeof paris.then).toBe('undefined');
  expect(paris).toEqual({ city: 'Paris', tempC: 14 });
  expect(cassette).toHaveCalledTools(['lookup_city', 'lookup_city']);
  expect(() => expect(cassette).toHaveCalledTools('lookup_city')).toThrow(/Matcher error|expected value must be an array of tool names/);
  expect(() => expect({}).toHaveCalledTools([])).toThrow(/received value must be the cassette handle/);
  expect(cassette).toMatchRecording();
});
`;

const PRAGMA_TEST = `/**
 * @agenttape-live llm
 */
const path = require('node:path');
const { cassette } = require('agenttape');
const { createAgent } = require('./agent');

const agent = createAgent({ baseURL: process.env.PROVIDER_URL, sideEffectFile: path.join(__dirname, 'side-effects.log') });

test('pragma agent', async () => {
  const result = await agent.ask('What is the weather?');
  expect(result.answer).toBe(process.env.EXPECTED_ANSWER);
  expect(cassette.steps.map((s) => s.interaction.kind + ':' + s.source)).toEqual(
    process.env.AGENTTAPE_MODE ? ['tool:recorded', 'retrieval:recorded', 'llm:recorded'] : ['tool:replayed', 'retrieval:replayed', 'llm:live'],
  );
});
`;

const FROZEN_DOCBLOCK = `/**
 * @agenttape-frozen tool
 */
`;

// Recorded first without the docblock (a frozen boundary is only served, never recorded).
const FROZEN_DOCBLOCK_TEST = `
const path = require('node:path');
const { cassette } = require('agenttape');
const { createAgent } = require('./agent');

const agent = createAgent({ baseURL: process.env.PROVIDER_URL, sideEffectFile: path.join(__dirname, 'side-effects.log') });

test('frozen docblock agent', async () => {
  const result = await agent.ask(process.env.QUESTION || 'What is the weather?');
  expect(result.answer).toBe(process.env.EXPECTED_ANSWER);
  expect(cassette.steps.map((s) => s.interaction.kind + ':' + s.source)).toEqual(process.env.STEPS.split(','));
});
`;

const SCRIPT = `
const path = require('node:path');
const { useCassette, cassette } = require('agenttape');
const { createAgent } = require('./agent');

const options = { cassetteDir: 'script-cassettes', llmHosts: ['127.0.0.1'] };
if (process.env.SCRIPT_MODE) options.mode = process.env.SCRIPT_MODE;
if (process.env.LIVE) options.live = process.env.LIVE.split(',');

// The openai client keeps the fetch it finds when it is built: build it inside, once interception is on.
useCassette('weather/london', options, () => {
  const agent = createAgent({ baseURL: process.env.PROVIDER_URL, sideEffectFile: path.join(__dirname, 'script-side-effects.log') });
  return agent.ask(process.env.QUESTION || 'What is the weather?');
})
  .then((result) => {
    console.log(JSON.stringify({ answer: result.answer, dated: result.logged.at instanceof Date, seen: [...result.logged.seen], inert: cassette.active }));
  })
  .catch((error) => {
    console.error('FAILED ' + error.code + '\\n' + error.message);
    process.exitCode = 1;
  });
`;

const ORIGINAL_ANSWER = 'It is rainy in London, 14°C.';
const NEW_ANSWER = 'Sunny now, 25°C.';
const CASSETTE = 'cassettes/agent.test.js/weather agent.yaml';
const DERIVED = 'cassettes/agent.test.js/weather agent.derived.yaml';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

describe('agent boundaries: tools never run twice, prompts can change safely', () => {
  let provider: FakeProvider;
  let fixture: FixtureProject;
  const lines = (file = 'side-effects.log') => (fixture.exists(file) ? fixture.read(file).split('\n').filter(Boolean) : []);
  const chatRequests = () => provider.requests.filter((r) => r.url.startsWith('/v1/chat/completions')).length;
  const nestedRequests = () => provider.requests.filter((r) => r.url.startsWith('/echo/nested')).length;

  beforeAll(async () => {
    provider = await startFakeProvider();
    fixture = createFixture('boundaries', { testEnvironmentOptions: { agenttape: { llmHosts: ['127.0.0.1'] } } });
    fixture.write('agent.js', AGENT);
    fixture.write('agent.test.js', AGENT_TEST);
    fixture.write('pragma.test.js', PRAGMA_TEST);
    fixture.write('script.js', SCRIPT);
  });
  afterAll(async () => {
    await provider.close();
    fixture.remove();
  });

  test('records tools, the retrieval error and the LLM call in one timeline; the nested request is not recorded again', async () => {
    const run = await fixture.run(['agent.test.js'], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url, EXPECTED_ANSWER: ORIGINAL_ANSWER });
    expect(run.output).toContain('Tests:       3 passed, 3 total');
    expect(run.status).toBe(0);
    expect(lines()).toEqual(['log_question What is the weather?', 'lookup_city London', 'lookup_city Atlantis', 'lookup_city Paris']);
    expect(nestedRequests()).toBe(1);
    expect(chatRequests()).toBe(1);
    const text = fixture.read(CASSETTE);
    expect(text.match(/^ {2}- index: \d+\n {4}kind: (\w+)/gm)?.map((m) => m.split('kind: ')[1])).toEqual(['tool', 'retrieval', 'llm']);
    expect(text).toContain('boundary: log_question');
    expect(text).toContain('$type: Date');
    expect(text).toContain('$type: Set');
    expect(text).not.toContain('/echo/nested');
    const failing = fixture.read('cassettes/agent.test.js/a failing tool throws the same error on replay.yaml');
    expect(failing).toMatch(/error:\n\s+type: RangeError\n\s+message: "No such city: Atlantis"\n\s+module: builtins/);
  });

  test('ten replay runs: the side effect never happens again and nothing is sent', async () => {
    const before = provider.requests.length;
    for (let i = 0; i < 10; i++) {
      const run = await fixture.run(['agent.test.js'], { PROVIDER_URL: provider.url, EXPECTED_ANSWER: ORIGINAL_ANSWER });
      expect(run.output).toContain('Tests:       3 passed, 3 total');
      expect(run.status).toBe(0);
    }
    expect(lines()).toHaveLength(4);
    expect(provider.requests.length).toBe(before);
  });

  test("live: ['llm'] sees the new answer, tools stay frozen, the run goes to the derived cassette", async () => {
    const originalHash = sha256(fixture.read(CASSETTE));
    provider.answer = NEW_ANSWER;
    const chatBefore = chatRequests();
    const run = await fixture.run(['agent.test.js', '-t', 'weather agent'], { PROVIDER_URL: provider.url, EXPECTED_ANSWER: NEW_ANSWER, LIVE: 'llm' });
    expect(run.output).toContain('Tests:       2 skipped, 1 passed, 3 total');
    expect(run.status).toBe(0);
    expect(chatRequests()).toBe(chatBefore + 1);
    expect(nestedRequests()).toBe(1);
    expect(lines()).toHaveLength(4);
    expect(sha256(fixture.read(CASSETTE))).toBe(originalHash);
    const derived = fixture.read(DERIVED);
    expect(derived).toContain(`content: ${NEW_ANSWER}`);
    expect(derived).not.toContain(ORIGINAL_ANSWER);
    expect(derived.match(/^ {4}kind: (\w+)/gm)).toEqual(['    kind: tool', '    kind: retrieval', '    kind: llm']);
    // The same from agenttape.config.json, for every test of the project.
    fixture.write('agenttape.config.json', JSON.stringify({ live: ['llm'] }));
    const fromConfig = await fixture.run(['agent.test.js', '-t', 'weather agent'], { PROVIDER_URL: provider.url, EXPECTED_ANSWER: NEW_ANSWER });
    fs.rmSync(path.join(fixture.dir, 'agenttape.config.json'));
    expect(fromConfig.status).toBe(0);
    expect(chatRequests()).toBe(chatBefore + 2);
    expect(lines()).toHaveLength(4);
    expect(sha256(fixture.read(CASSETTE))).toBe(originalHash);
    // Without live, the same change is a plain replay: the test sees the recorded answer.
    const replay = await fixture.run(['agent.test.js'], { PROVIDER_URL: provider.url, EXPECTED_ANSWER: ORIGINAL_ANSWER });
    expect(replay.status).toBe(0);
    provider.answer = ORIGINAL_ANSWER;
  });

  test('an @agenttape-live docblock makes the LLM live for one file', async () => {
    const record = await fixture.run(['pragma.test.js'], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url, EXPECTED_ANSWER: ORIGINAL_ANSWER });
    expect(record.status).toBe(0);
    const original = fixture.read('cassettes/pragma.test.js/pragma agent.yaml');
    provider.answer = NEW_ANSWER;
    const linesBefore = lines().length;
    const chatBefore = chatRequests();
    const run = await fixture.run(['pragma.test.js'], { PROVIDER_URL: provider.url, EXPECTED_ANSWER: NEW_ANSWER });
    provider.answer = ORIGINAL_ANSWER;
    expect(run.output).toContain('Tests:       1 passed, 1 total');
    expect(run.status).toBe(0);
    expect(lines()).toHaveLength(linesBefore);
    expect(chatRequests()).toBe(chatBefore + 1);
    expect(fixture.read('cassettes/pragma.test.js/pragma agent.yaml')).toBe(original);
    expect(fixture.read('cassettes/pragma.test.js/pragma agent.derived.yaml')).toContain(`content: ${NEW_ANSWER}`);
  });

  test('toMatchRecording fails with a diff when the agent calls the same tools in another order', async () => {
    const run = await fixture.run(['agent.test.js', '-t', 'call order'], { PROVIDER_URL: provider.url, SWAP: '1' });
    expect(run.status).toBe(1);
    expect(run.output).toContain('● call order');
    expect(run.output).toContain("expect(cassette).toMatchRecording()\n\n    This run's interactions differ from the recording:");
    expect(run.output).toContain('- Recorded');
    expect(run.output).toContain('+ This run');
    expect(run.output).toContain('-     "boundary": "plan",\n    +     "boundary": "act",');
    expect(run.output).toContain('at Object.<anonymous> (agent.test.js:20:');
  });

  test('a replay miss names live as a way out', async () => {
    const linesBefore = lines().length;
    const run = await fixture.run(['agent.test.js', '-t', 'weather agent'], { PROVIDER_URL: provider.url, EXPECTED_ANSWER: ORIGINAL_ANSWER, QUESTION: 'Will it snow?' });
    expect(run.status).toBe(1);
    expect(run.output).toContain('UnmatchedInteractionError: AgentTape: no recording matches this tool request; it was not sent.');
    expect(run.output).toContain('Boundary: tool log_question');
    expect(run.output).toContain(`cassette.use({ live: ["log_question"] })`);
    expect(lines()).toHaveLength(linesBefore);
  });

  test('frozen tools in a recording mode: a call the cassette lacks fails and never executes', async () => {
    const originalHash = sha256(fixture.read(CASSETTE));
    const linesBefore = lines().length;
    const run = await fixture.run(['agent.test.js', '-t', 'weather agent'], {
      AGENTTAPE_MODE: 'new_episodes',
      PROVIDER_URL: provider.url,
      EXPECTED_ANSWER: ORIGINAL_ANSWER,
      FROZEN: 'tool',
      QUESTION: 'Will it snow?',
    });
    expect(run.status).toBe(1);
    expect(run.output).toContain('UnmatchedInteractionError');
    expect(run.output).toContain('Boundary: tool log_question');
    expect(run.output).toContain("args[0]: expected 'What is the weather?', received 'Will it snow?'");
    expect(lines()).toHaveLength(linesBefore);
    expect(sha256(fixture.read(CASSETTE))).toBe(originalHash);
  });

  test("an @agenttape-frozen docblock serves the file's tools from the cassette while recording, and refuses new tool calls", async () => {
    const cassettePath = 'cassettes/frozen-docblock.test.js/frozen docblock agent.yaml';
    const env = { PROVIDER_URL: provider.url, EXPECTED_ANSWER: ORIGINAL_ANSWER };
    fixture.write('frozen-docblock.test.js', FROZEN_DOCBLOCK_TEST);
    const record = await fixture.run(['frozen-docblock.test.js'], { ...env, AGENTTAPE_MODE: 'record', STEPS: 'tool:recorded,retrieval:recorded,llm:recorded' });
    expect(record.status).toBe(0);
    fixture.write('frozen-docblock.test.js', FROZEN_DOCBLOCK + FROZEN_DOCBLOCK_TEST);
    const linesBefore = lines().length;
    const chatBefore = chatRequests();
    const nestedBefore = nestedRequests();
    // Re-recording everything: the frozen tool is served (no side effect), the retrieval and the LLM run again.
    const again = await fixture.run(['frozen-docblock.test.js'], { ...env, AGENTTAPE_MODE: 'all', STEPS: 'tool:replayed,retrieval:recorded,llm:recorded' });
    expect(again.output).toContain('Tests:       1 passed, 1 total');
    expect(again.status).toBe(0);
    expect(lines().slice(linesBefore)).toEqual(['lookup_city London']);
    expect(chatRequests()).toBe(chatBefore + 1);
    expect(nestedRequests()).toBe(nestedBefore);
    const frozenHash = sha256(fixture.read(cassettePath));
    // A question the cassette lacks: the frozen tool fails with the replay-miss error and never runs.
    const miss = await fixture.run(['frozen-docblock.test.js'], { ...env, AGENTTAPE_MODE: 'new_episodes', QUESTION: 'Will it snow?', STEPS: '' });
    expect(miss.status).toBe(1);
    expect(miss.output).toContain('UnmatchedInteractionError: AgentTape: no recording matches this tool request; it was not sent.');
    expect(miss.output).toContain("args[0]: expected 'What is the weather?', received 'Will it snow?'");
    expect(lines()).toHaveLength(linesBefore + 1);
    expect(sha256(fixture.read(cassettePath))).toBe(frozenHash);
  });

  test('frozen from agenttape.config.json: a new call of that boundary fails and never executes', async () => {
    const originalHash = sha256(fixture.read(CASSETTE));
    const linesBefore = lines().length;
    fixture.write('agenttape.config.json', JSON.stringify({ frozen: ['log_question'] }));
    const run = await fixture.run(['agent.test.js', '-t', 'weather agent'], {
      AGENTTAPE_MODE: 'new_episodes',
      PROVIDER_URL: provider.url,
      EXPECTED_ANSWER: ORIGINAL_ANSWER,
      QUESTION: 'Will it snow?',
    });
    fs.rmSync(path.join(fixture.dir, 'agenttape.config.json'));
    expect(run.status).toBe(1);
    expect(run.output).toContain('UnmatchedInteractionError');
    expect(run.output).toContain('Boundary: tool log_question');
    expect(lines()).toHaveLength(linesBefore);
    expect(sha256(fixture.read(CASSETTE))).toBe(originalHash);
  });

  test('the same agent under useCassette in a plain Node script: record once, replay, partial replay', async () => {
    const record = await runNodeScript(fixture.dir, { PROVIDER_URL: provider.url, SCRIPT_MODE: 'record' });
    expect(record.output).toContain(`{"answer":"${ORIGINAL_ANSWER}","dated":true,"seen":["What is the weather?"],"inert":false}`);
    expect(record.status).toBe(0);
    expect(lines('script-side-effects.log')).toEqual(['log_question What is the weather?', 'lookup_city London']);
    expect(fixture.files('script-cassettes')).toEqual(['weather/london.yaml']);
    expect(fixture.read('script-cassettes/weather/london.yaml').match(/^ {4}kind: (\w+)/gm)).toEqual(['    kind: tool', '    kind: retrieval', '    kind: llm']);
    const originalHash = sha256(fixture.read('script-cassettes/weather/london.yaml'));

    provider.answer = NEW_ANSWER;
    const before = provider.requests.length;
    for (let i = 0; i < 3; i++) {
      const replay = await runNodeScript(fixture.dir, { PROVIDER_URL: provider.url });
      expect(replay.output).toContain(`"answer":"${ORIGINAL_ANSWER}"`);
      expect(replay.status).toBe(0);
    }
    expect(provider.requests.length).toBe(before);
    expect(lines('script-side-effects.log')).toHaveLength(2);

    const live = await runNodeScript(fixture.dir, { PROVIDER_URL: provider.url, LIVE: 'llm' });
    provider.answer = ORIGINAL_ANSWER;
    expect(live.output).toContain(`"answer":"${NEW_ANSWER}"`);
    expect(live.status).toBe(0);
    expect(lines('script-side-effects.log')).toHaveLength(2);
    expect(sha256(fixture.read('script-cassettes/weather/london.yaml'))).toBe(originalHash);
    expect(fixture.read('script-cassettes/weather/london.derived.yaml')).toContain(`content: ${NEW_ANSWER}`);

    const miss = await runNodeScript(fixture.dir, { PROVIDER_URL: provider.url, QUESTION: 'Will it snow?' });
    expect(miss.status).toBe(1);
    expect(miss.output).toContain('FAILED ERR_AGENTTAPE_UNMATCHED');
    expect(miss.output).toContain("args[0]: expected 'What is the weather?', received 'Will it snow?'");
    expect(miss.output).toContain('re-record this test: AGENTTAPE_MODE=record node script.js');
    expect(lines('script-side-effects.log')).toHaveLength(2);
  });
});
