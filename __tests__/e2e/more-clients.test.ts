/**
 * More clients agents are built on, end to end: the OpenAI Agents SDK (a run
 * with a function tool, streamed and not, over the responses API), Google
 * GenAI (generateContent and its SSE stream), Mistral (chat.complete and
 * chat.stream; its SDK is ESM only, so its tests are ES modules run with
 * --experimental-vm-modules, as a Jest user of it must) and LangGraph (a
 * prebuilt ReAct agent on ChatOpenAI with a tool). Each records against the
 * fake provider's stand-in of its wire format, then replays with the provider
 * stopped and no key set, and must observe what it observed while recording.
 * A miss through the Agents SDK and Mistral, with their default retries and
 * with retries turned on, and through GenAI with its retries turned on, must
 * fail its test after one attempt.
 */
import { parseYaml as parse } from '../support/yaml-text';
import { createFixture, type FixtureProject } from '../support/packed-project';
import { readObserved, writeObservedModule } from '../support/observed-results';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { runJson, snapshotFiles, type JsonRun } from '../support/jest-json';
const { OPENAI_RECORDING_KEY, GEMINI_RECORDING_KEY, MISTRAL_RECORDING_KEY } = require('../fixtures/secrets/fake-keys.js') as Record<string, string>;

/** Shared by the CommonJS tests: a fetch that counts each client's attempts, saved with the observed results. */
const SUPPORT = `
const { save } = require('./observed');

const attempts = {};
exports.save = save;
exports.base = process.env.PROVIDER_URL;
/** A fetch that counts the attempts a client makes, by the test that made them. */
exports.counted = (...args) => {
  const test = expect.getState().currentTestName;
  attempts[test] = (attempts[test] ?? 0) + 1;
  return fetch(...args);
};
exports.saveAttempts = (file) => save('attempts-' + file, attempts);
`;

const AGENTS_TEST = `
const OpenAI = require('openai').default;
const { z } = require('zod');
const { Agent, run, tool, setDefaultOpenAIClient, setTracingDisabled, retryPolicies } = require('@openai/agents');
const { cassette } = require('agenttape');
const { save, base, counted, saveAttempts } = require('./support');

// Jest's NODE_ENV=test already turns tracing off; said here too, since its exporter posts to api.openai.com.
setTracingDisabled(true);
setDefaultOpenAIClient(new OpenAI({ baseURL: base + '/v1', apiKey: process.env.OPENAI_API_KEY, fetch: counted }));
afterAll(() => saveAttempts('agents'));

function weatherAgent(calls, modelSettings) {
  const getWeather = tool({
    name: 'get_weather',
    description: 'The current weather in a city.',
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }) => { calls.push({ city }); return 'Rainy, 14 degrees in ' + city; },
  });
  return new Agent({ name: 'Weather agent', instructions: 'Answer with the weather.', model: 'gpt-4o-mini', tools: [getWeather], modelSettings });
}

const usageOf = (result) => result.rawResponses.map((r) => ({ input: r.usage.inputTokens, output: r.usage.outputTokens, total: r.usage.totalTokens }));

test('agents run with a function tool', async () => {
  const calls = [];
  const result = await run(weatherAgent(calls), 'What is the weather in Paris?');
  save('agents-run', { finalOutput: result.finalOutput, calls, items: result.newItems.map((i) => i.type), usage: usageOf(result) });
  expect(calls).toEqual([{ city: 'Paris' }]);
  expect(result.finalOutput).toMatch(/rainy/);
  expect(cassette).toHaveReplayedAll();
});

test('agents streamed run with a function tool', async () => {
  const calls = [];
  const result = await run(weatherAgent(calls), 'What is the weather in Oslo?', { stream: true });
  const text = [];
  for await (const part of result.toTextStream()) text.push(part);
  await result.completed;
  save('agents-streamed', { finalOutput: result.finalOutput, calls, text, items: result.newItems.map((i) => i.type), usage: usageOf(result) });
  expect(calls).toEqual([{ city: 'Oslo' }]);
  expect(text.join('')).toBe(result.finalOutput);
  expect(cassette).toHaveReplayedAll();
});

// In replay these ask about another city than was recorded: a miss.
const missPrompt = 'What is the weather in ' + process.env.MISS_CITY + '?';

test('miss: agents run, default retries', async () => {
  await run(weatherAgent([]), missPrompt);
});

test('miss: agents run with runner retries on', async () => {
  // A user who opts into the runner's retries: up to four, 1 s apart and more, for what the provider, the network or the status says is transient.
  const retry = {
    maxRetries: 4,
    backoff: { initialDelayMs: 1000, maxDelayMs: 8000, multiplier: 2, jitter: false },
    policy: retryPolicies.any(retryPolicies.providerSuggested(), retryPolicies.networkError(), retryPolicies.httpStatus([408, 409, 429, 500, 502, 503, 504])),
  };
  await run(weatherAgent([], { retry }), missPrompt);
});
`;

const GENAI_TEST = `
const { GoogleGenAI } = require('@google/genai');
const { cassette } = require('agenttape');
const { save, base, counted, saveAttempts } = require('./support');

const ai = new GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY, httpOptions: { baseUrl: base } });
afterAll(() => saveAttempts('genai'));

test('genai generateContent', async () => {
  const response = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'What is the weather in London?' });
  save('genai', { text: response.text, usage: response.usageMetadata });
  expect(response.text).toMatch(/rainy/);
  expect(cassette).toHaveReplayedAll();
});

test('genai generateContentStream', async () => {
  const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'What is the weather in Rome?' });
  const parts = [];
  let usage;
  for await (const chunk of stream) { parts.push(chunk.text); usage = chunk.usageMetadata ?? usage; }
  save('genai-stream', { parts, usage });
  expect(parts.length).toBeGreaterThan(3);
  expect(parts.join('')).toMatch(/rainy/);
  expect(cassette).toHaveReplayedAll();
});

test('miss: genai generateContent with retryOptions on', async () => {
  // Five attempts, 1 s apart and doubling. p-retry retries any Error but a non-network TypeError; AgentTape's
  // error is made outside the test's realm, so p-retry takes it for a non-error and gives up at once.
  const retrying = new GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY, httpOptions: { baseUrl: base, retryOptions: { attempts: 5 }, fetch: counted } });
  await retrying.models.generateContent({ model: 'gemini-2.5-flash', contents: 'What is the weather in ' + process.env.MISS_CITY + '?' });
});
`;

/** Mistral's SDK is ESM only: this folder is a module package, run with --experimental-vm-modules. */
const MISTRAL_TEST = `
import { createRequire } from 'node:module';
import { Mistral, HTTPClient } from '@mistralai/mistralai';
import { cassette } from 'agenttape';

const require = createRequire(import.meta.url);
const { save } = require('../observed.js');
const base = process.env.PROVIDER_URL + '/mistral';
const attempts = {};
/** A client whose fetches are counted by the test that made them, with retry settings if given. */
const client = (retryConfig) => new Mistral({
  apiKey: process.env.MISTRAL_API_KEY,
  serverURL: base,
  retryConfig,
  httpClient: new HTTPClient({
    fetcher: (input, init) => {
      const test = expect.getState().currentTestName;
      attempts[test] = (attempts[test] ?? 0) + 1;
      return fetch(input, init);
    },
  }),
});
afterAll(() => save('attempts-mistral', attempts));

test('mistral chat.complete', async () => {
  const result = await client().chat.complete({ model: 'mistral-small-latest', messages: [{ role: 'user', content: 'What is the weather in London?' }] });
  save('mistral', { content: result.choices[0].message.content, finishReason: result.choices[0].finishReason, usage: result.usage });
  expect(result.choices[0].message.content).toMatch(/rainy/);
  expect(cassette).toHaveReplayedAll();
});

test('mistral chat.stream', async () => {
  const stream = await client().chat.stream({ model: 'mistral-small-latest', messages: [{ role: 'user', content: 'What is the weather in Madrid?' }] });
  const parts = [];
  let usage;
  for await (const event of stream) { parts.push(event.data.choices[0].delta.content); usage = event.data.usage ?? usage; }
  save('mistral-stream', { parts, usage });
  expect(parts.join('')).toMatch(/rainy/);
  expect(cassette).toHaveReplayedAll();
});

const missMessages = [{ role: 'user', content: 'What is the weather in ' + process.env.MISS_CITY + '?' }];

test('miss: mistral chat.complete, default retries', async () => {
  await client().chat.complete({ model: 'mistral-small-latest', messages: missMessages });
});

test('miss: mistral chat.complete with backoff retries on', async () => {
  // The SDK's own backoff (0.5 s, growing, for up to a minute), retrying connection errors too.
  const retryConfig = { strategy: 'backoff', backoff: { initialInterval: 500, maxInterval: 60000, exponent: 1.5, maxElapsedTime: 60000 }, retryConnectionErrors: true };
  await client(retryConfig).chat.complete({ model: 'mistral-small-latest', messages: missMessages });
});
`;

const LANGGRAPH_TEST = `
const { z } = require('zod');
const { ChatOpenAI } = require('@langchain/openai');
const { tool } = require('@langchain/core/tools');
const { createReactAgent } = require('@langchain/langgraph/prebuilt');
const { cassette } = require('agenttape');
const { save, base } = require('./support');

test('langgraph react agent with a tool', async () => {
  const calls = [];
  const getWeather = tool(async ({ city }) => { calls.push({ city }); return 'Rainy, 14 degrees in ' + city; }, {
    name: 'get_weather',
    description: 'The current weather in a city.',
    schema: z.object({ city: z.string() }),
  });
  const llm = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: process.env.OPENAI_API_KEY, configuration: { baseURL: base + '/v1' } });
  const agent = createReactAgent({ llm, tools: [getWeather] });
  const result = await agent.invoke({ messages: [{ role: 'user', content: 'What is the weather in Berlin?' }] });
  const messages = result.messages.map((m) => ({ type: m.getType(), content: m.content, toolCalls: (m.tool_calls ?? []).map((c) => ({ name: c.name, args: c.args })) }));
  save('langgraph', { messages, calls, usage: result.messages.map((m) => m.usage_metadata ?? null) });
  expect(calls).toEqual([{ city: 'Berlin' }]);
  expect(messages.map((m) => m.type)).toEqual(['human', 'ai', 'tool', 'ai']);
  expect(messages.at(-1).content).toMatch(/rainy/);
  expect(cassette).toHaveReplayedAll();
});
`;

interface Stored {
  kind: string;
  usage: Record<string, number> | null;
  request: { method: string; url: string; json?: Record<string, unknown> };
  response: { status: number; json?: unknown; sse?: unknown[] };
}

const RESULTS = ['agents-run', 'agents-streamed', 'genai', 'genai-stream', 'mistral', 'mistral-stream', 'langgraph'];
const MISSES = [
  'miss: agents run, default retries',
  'miss: agents run with runner retries on',
  'miss: mistral chat.complete, default retries',
  'miss: mistral chat.complete with backoff retries on',
  'miss: genai generateContent with retryOptions on',
];
const MISTRAL_USAGE = { prompt_tokens: 10, completion_tokens: 8, total_tokens: 18 };

describe('Agents SDK, Google GenAI, Mistral and LangGraph: record, then replay offline', () => {
  let provider: FakeProvider;
  let fixture: FixtureProject;
  let recorded: Record<string, string>;
  let replay: JsonRun;
  const results = (label: string, name: string) => readObserved(fixture, label, name);
  const interactions = (file: string, test: string): Stored[] => (parse(fixture.read(`cassettes/${file}/${test}.yaml`)) as { interactions: Stored[] }).interactions;
  const env = { NODE_OPTIONS: '--experimental-vm-modules' };

  beforeAll(async () => {
    provider = await startFakeProvider();
    fixture = createFixture('more-clients', { testEnvironmentOptions: { agenttape: { llmHosts: ['127.0.0.1'] } } });
    writeObservedModule(fixture);
    fixture.write('support.js', SUPPORT);
    fixture.write('agents.test.js', AGENTS_TEST);
    fixture.write('genai.test.js', GENAI_TEST);
    fixture.write('langgraph.test.js', LANGGRAPH_TEST);
    fixture.write('mistral/package.json', JSON.stringify({ type: 'module' }));
    fixture.write('mistral/chat.test.js', MISTRAL_TEST);
  });
  afterAll(async () => {
    await provider.close();
    fixture.remove();
  });

  test('records each client as llm interactions with the requests and usage the provider reported', async () => {
    const run = await runJson(fixture, [], {
      ...env,
      AGENTTAPE_MODE: 'record',
      RUN_LABEL: 'record',
      PROVIDER_URL: provider.url,
      MISS_CITY: 'London',
      OPENAI_API_KEY: OPENAI_RECORDING_KEY,
      GEMINI_API_KEY: GEMINI_RECORDING_KEY,
      MISTRAL_API_KEY: MISTRAL_RECORDING_KEY,
    });
    expect({ failed: run.report.numFailedTests, suites: run.report.numFailedTestSuites }).toEqual({ failed: 0, suites: 0 });
    expect(run.report.numPassedTests).toBe(12);
    recorded = snapshotFiles(fixture, 'cassettes');

    // The Agents SDK: the tool call turn, then the answer turn with the tool's output in its input.
    const [call, answer] = interactions('agents.test.js', 'agents run with a function tool');
    expect([call.kind, answer.kind]).toEqual(['llm', 'llm']);
    expect(call.request).toMatchObject({
      method: 'POST',
      url: `${provider.url}/v1/responses`,
      json: { model: 'gpt-4o-mini', input: [{ role: 'user', content: 'What is the weather in Paris?' }], tools: [{ type: 'function', name: 'get_weather' }] },
    });
    expect(call.response.json).toMatchObject({ output: [{ type: 'function_call', name: 'get_weather', arguments: '{"city":"Paris"}' }] });
    expect(answer.request.json!.input).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'function_call_output', call_id: 'call_fake1', output: 'Rainy, 14 degrees in Paris' })]));
    expect([call.usage, answer.usage]).toEqual([expect.objectContaining({ input_tokens: 31, output_tokens: 12, total_tokens: 43 }), expect.objectContaining({ input_tokens: 14, output_tokens: 9, total_tokens: 23 })]);
    const streamed = interactions('agents.test.js', 'agents streamed run with a function tool');
    expect(streamed.map((i) => ({ kind: i.kind, stream: i.request.json!.stream, events: (i.response.sse ?? []).length > 3, total: i.usage?.total_tokens }))).toEqual([
      { kind: 'llm', stream: true, events: true, total: 43 },
      { kind: 'llm', stream: true, events: true, total: 23 },
    ]);

    // Google GenAI: one generateContent, one SSE stream, Gemini's usageMetadata on both.
    const [generated] = interactions('genai.test.js', 'genai generateContent');
    const [streamedGemini] = interactions('genai.test.js', 'genai generateContentStream');
    expect(generated.request.url).toBe(`${provider.url}/v1beta/models/gemini-2.5-flash:generateContent`);
    expect(generated.request.json).toMatchObject({ contents: [{ role: 'user', parts: [{ text: 'What is the weather in London?' }] }] });
    expect(streamedGemini.request.url).toBe(`${provider.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`);
    for (const gemini of [generated, streamedGemini]) {
      expect({ kind: gemini.kind, usage: gemini.usage }).toEqual({ kind: 'llm', usage: expect.objectContaining({ promptTokenCount: 8, totalTokenCount: 37, total_tokens: 37 }) });
    }

    // Mistral: its own path and body, usage from the JSON and from the stream's last chunk.
    const [complete] = interactions('mistral/chat.test.js', 'mistral chat.complete');
    const [stream] = interactions('mistral/chat.test.js', 'mistral chat.stream');
    expect(complete.request).toMatchObject({
      method: 'POST',
      url: `${provider.url}/mistral/v1/chat/completions`,
      json: { model: 'mistral-small-latest', stream: false, messages: [{ role: 'user', content: 'What is the weather in London?' }] },
    });
    expect(stream.request.json).toMatchObject({ stream: true, messages: [{ content: 'What is the weather in Madrid?' }] });
    expect(stream.response.sse!.length).toBeGreaterThan(3);
    expect([complete, stream].map((i) => ({ kind: i.kind, usage: i.usage }))).toEqual([
      { kind: 'llm', usage: MISTRAL_USAGE },
      { kind: 'llm', usage: MISTRAL_USAGE },
    ]);

    // LangGraph: ChatOpenAI asks for the tool, then answers with the tool's message in the conversation.
    const graph = interactions('langgraph.test.js', 'langgraph react agent with a tool');
    expect(graph.map((i) => ({ kind: i.kind, url: i.request.url, total: i.usage?.total_tokens }))).toEqual([
      { kind: 'llm', url: `${provider.url}/v1/chat/completions`, total: 55 },
      { kind: 'llm', url: `${provider.url}/v1/chat/completions`, total: 21 },
    ]);
    expect(graph[0].request.json).toMatchObject({ tools: [{ type: 'function', function: { name: 'get_weather' } }] });
    expect(graph[1].request.json!.messages).toEqual(expect.arrayContaining([expect.objectContaining({ role: 'tool', tool_call_id: 'call_fake1', content: 'Rainy, 14 degrees in Berlin' })]));

    // Everything went to the fake provider (no tracing export to api.openai.com), and no key was written.
    const everything = fixture.files('cassettes').flatMap((file) => (parse(fixture.read(`cassettes/${file}`)) as { interactions: Stored[] }).interactions);
    expect([...new Set(everything.map((i) => new URL(i.request.url).host))]).toEqual([new URL(provider.url).host]);
    for (const [file, text] of Object.entries(recorded)) {
      expect({ file, keys: [OPENAI_RECORDING_KEY, GEMINI_RECORDING_KEY, MISTRAL_RECORDING_KEY].filter((key) => text.includes(key)) }).toEqual({ file, keys: [] });
    }
  });

  test('replays with the provider stopped and no key set: every client observes what it did while recording', async () => {
    const port = provider.port;
    await provider.close();
    // A fresh server on the same port counts any connection the replay would make.
    provider = await startFakeProvider(port);
    replay = await runJson(fixture, [], { ...env, RUN_LABEL: 'replay', PROVIDER_URL: provider.url, MISS_CITY: 'Paris' });
    const failed = replay.report.testResults.flatMap((file) => file.assertionResults.filter((a) => a.status === 'failed').map((a) => a.fullName));
    expect(failed.sort()).toEqual([...MISSES].sort());
    expect(replay.report.numPassedTests).toBe(7);
    expect(provider.connections).toBe(0);

    for (const name of RESULTS) expect({ name, result: results('replay', name) }).toEqual({ name, result: results('record', name) });
    expect(results('replay', 'agents-run')).toMatchObject({ calls: [{ city: 'Paris' }], items: ['tool_call_item', 'tool_call_output_item', 'message_output_item'] });
    expect(results('replay', 'agents-streamed').calls).toEqual([{ city: 'Oslo' }]);
    expect(results('replay', 'langgraph').messages[1].toolCalls).toEqual([{ name: 'get_weather', args: { city: 'Berlin' } }]);
    expect(results('replay', 'mistral-stream').usage).toEqual({ promptTokens: 10, completionTokens: 8, totalTokens: 18 });
    expect(snapshotFiles(fixture, 'cassettes')).toEqual(recorded);
  });

  test.each(MISSES)('%s: fails with the field that changed, after one attempt, in well under a second', (name) => {
    const result = replay.test(name);
    const message = result.failureMessages.join('\n');
    expect(message).toContain('AgentTape: no recording matches this llm request; it was not sent.');
    expect(message).toMatch(/London[^\n]*Paris/);
    // The runner's and GenAI's first retry would wait 1 s, Mistral's 0.5 s or more: one second separates "gave up at once" from "retried".
    expect(result.duration).toBeLessThan(1000);
  });

  test('each miss made exactly one attempt', () => {
    const attempts = { ...results('replay', 'attempts-agents'), ...results('replay', 'attempts-mistral'), ...results('replay', 'attempts-genai') };
    expect(Object.fromEntries(MISSES.map((name) => [name, attempts[name]]))).toEqual(Object.fromEntries(MISSES.map((name) => [name, 1])));
  });
});
