/**
 * Unmatched requests: a client with built-in retries must not turn one miss into seconds
 * of backoff. The openai and Anthropic clients are covered in
 * unmatched-request.test.ts; here are the other clients agents are built on,
 * each with its default retry settings: the Vercel AI SDK (retries a 5xx or a
 * failed fetch twice, after 2 s and 4 s) and LangChain's `ChatOpenAI` (its own
 * retry loop, six times, around the openai client). A miss must fail its test
 * after one attempt, with our message, and send nothing.
 */
import { createFixture, type FixtureProject } from '../support/packed-project';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { runJson, snapshotFiles, type JsonRun } from '../support/jest-json';

const RETRY_TEST = `
const fs = require('node:fs');
const { generateText } = require('ai');
const { createOpenAI } = require('@ai-sdk/openai');
const { ChatOpenAI } = require('@langchain/openai');

const base = process.env.PROVIDER_URL;
const city = process.env.CITY;
const attempts = {};
/** A fetch that counts the attempts a client makes. */
const counted = (name) => (...args) => { attempts[name] = (attempts[name] ?? 0) + 1; return fetch(...args); };
afterAll(() => fs.writeFileSync('attempts.json', JSON.stringify(attempts)));

test('ai sdk generateText', async () => {
  const provider = createOpenAI({ baseURL: base + '/v1', apiKey: 'sk-test', fetch: counted('ai') });
  const { text } = await generateText({ model: provider.chat('gpt-4o-mini'), prompt: 'Weather in ' + city + '?' });
  expect(text).toMatch(/rainy/);
});

test('langchain ChatOpenAI', async () => {
  const model = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'sk-test', configuration: { baseURL: base + '/v1', fetch: counted('langchain') } });
  const answer = await model.invoke('Weather in ' + city + '?');
  expect(String(answer.content)).toMatch(/rainy/);
});

test('plain fetch to an LLM API', async () => {
  const res = await counted('fetch')(base + '/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in ' + city + '?' }] }),
  });
  expect(res.status).toBe(200);
});
`;

describe('a miss through clients with their own retries', () => {
  let provider: FakeProvider;
  let fixture: FixtureProject;
  let recorded: Record<string, string>;
  let replay: JsonRun;
  let requestsDuringReplay: number;

  beforeAll(async () => {
    provider = await startFakeProvider();
    fixture = createFixture('client-retries', { testEnvironmentOptions: { agenttape: { llmHosts: ['127.0.0.1'] } } });
    fixture.write('retry.test.js', RETRY_TEST);
    const record = await runJson(fixture, [], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url, CITY: 'London' });
    if (record.status !== 0) throw new Error(`The record run failed:\n${record.output}`);
    recorded = snapshotFiles(fixture, 'cassettes');
    const before = provider.requests.length;
    replay = await runJson(fixture, [], { PROVIDER_URL: provider.url, CITY: 'Paris' });
    requestsDuringReplay = provider.requests.length - before;
  });
  afterAll(async () => {
    await provider.close();
    fixture.remove();
  });

  test.each(['ai sdk generateText', 'langchain ChatOpenAI', 'plain fetch to an LLM API'])('%s: the miss fails the test with the field that changed', (name) => {
    const result = replay.test(name);
    expect(result.status).toBe('failed');
    const message = result.failureMessages.join('\n');
    expect(message).toContain('AgentTape: no recording matches this llm request; it was not sent.');
    expect(message).toMatch(/json\.(messages\[0\]\.content|prompt)[^\n]*London[^\n]*Paris/);
  });

  test('each client made one attempt and its test failed in well under a second', () => {
    expect(JSON.parse(fixture.read('attempts.json'))).toEqual({ ai: 1, langchain: 1, fetch: 1 });
    // The AI SDK's first retry waits 2 s and LangChain's at least 1 s: one second separates "gave up at once" from "retried".
    const slow = ['ai sdk generateText', 'langchain ChatOpenAI'].map((name) => ({ name, duration: replay.test(name).duration })).filter(({ duration }) => typeof duration !== 'number' || duration >= 1000);
    expect(slow).toEqual([]);
  });

  test('nothing reached the provider and the cassettes are unchanged', () => {
    expect(requestsDuringReplay).toBe(0);
    expect(snapshotFiles(fixture, 'cassettes')).toEqual(recorded);
  });
});
