/**
 * Token usage from providers that do not use OpenAI's or Anthropic's shape,
 * end to end: Google Gemini's `usageMetadata` (generateContent, and
 * streamGenerateContent as SSE, where only the last event carries it, and as
 * one JSON array) and Groq's (`usage` in a chat completion, `x_groq.usage` in
 * the last chunk of a stream). Plain fetch against the fake provider, named
 * an LLM host by `llmHosts`; the cassette's `usage` is checked, then the
 * recording replays with the provider stopped.
 */
import { parseYaml as parse } from '../support/yaml-text';
import { createFixture, type FixtureProject } from '../support/packed-project';
import { readObserved, writeObservedModule } from '../support/observed-results';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';

const PROVIDERS_TEST = `

const base = process.env.PROVIDER_URL;
const gemini = base + '/v1beta/models/gemini-2.5-flash';
const contents = [{ role: 'user', parts: [{ text: 'What is the weather in London?' }] }];
const messages = [{ role: 'user', content: 'What is the weather in London?' }];

const { save } = require('./observed');

function post(url, body, headers) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** The body as the chunks the reader returned. */
async function chunksOf(res) {
  const reader = res.body.getReader();
  const chunks = [];
  for (;;) { const { done, value } = await reader.read(); if (done) return chunks; chunks.push(Buffer.from(value).toString('utf8')); }
}

const googleKey = { 'x-goog-api-key': process.env.GEMINI_API_KEY };
const groqKey = { authorization: 'Bearer ' + process.env.GROQ_API_KEY };

describe('gemini', () => {
  test('generateContent', async () => {
    const body = await (await post(gemini + ':generateContent', { contents }, googleKey)).json();
    save('gemini', body);
    expect(body.candidates[0].content.parts[0].text).toMatch(/rainy/);
  });
  test('streamGenerateContent as SSE', async () => {
    const chunks = await chunksOf(await post(gemini + ':streamGenerateContent?alt=sse', { contents }, googleKey));
    save('gemini-sse', chunks);
    expect(chunks.length).toBeGreaterThan(3);
  });
  test('streamGenerateContent as a JSON array', async () => {
    const body = await (await post(gemini + ':streamGenerateContent', { contents }, googleKey)).json();
    save('gemini-array', body);
    expect(body.at(-1).usageMetadata.totalTokenCount).toBe(37);
  });
});

describe('groq', () => {
  test('chat completion', async () => {
    const body = await (await post(base + '/openai/v1/chat/completions', { model: 'llama-3.3-70b-versatile', messages }, groqKey)).json();
    save('groq', body);
    expect(body.usage.total_tokens).toBe(20);
  });
  test('chat stream', async () => {
    const chunks = await chunksOf(await post(base + '/openai/v1/chat/completions', { model: 'llama-3.3-70b-versatile', messages, stream: true }, groqKey));
    save('groq-stream', chunks);
    expect(chunks.join('')).toContain('x_groq');
  });
});
`;

type Stored = { kind: string; usage: Record<string, number> | null; response: { sse?: { data?: unknown; raw?: string }[] } };
const TESTS = ['gemini generateContent', 'gemini streamGenerateContent as SSE', 'gemini streamGenerateContent as a JSON array', 'groq chat completion', 'groq chat stream'];
const RESULTS = ['gemini', 'gemini-sse', 'gemini-array', 'groq', 'groq-stream'];
const GEMINI_USAGE = { promptTokenCount: 8, candidatesTokenCount: 9, thoughtsTokenCount: 20, totalTokenCount: 37 };
const GROQ_USAGE = { queue_time: 0.02, prompt_tokens: 13, prompt_time: 0.001, completion_tokens: 7, completion_time: 0.01, total_tokens: 20, total_time: 0.011 };

describe('Gemini and Groq usage: record, then replay offline', () => {
  let provider: FakeProvider;
  let fixture: FixtureProject;
  const interactionOf = (test: string): Stored => {
    const doc = parse(fixture.read(`cassettes/providers.test.js/${test}.yaml`)) as { interactions: Stored[] };
    expect(doc.interactions).toHaveLength(1);
    return doc.interactions[0];
  };
  const results = (label: string, name: string) => readObserved(fixture, label, name);

  beforeAll(async () => {
    provider = await startFakeProvider();
    fixture = createFixture('provider-usage', { testEnvironmentOptions: { agenttape: { llmHosts: ['127.0.0.1'] } } });
    writeObservedModule(fixture);
    fixture.write('providers.test.js', PROVIDERS_TEST);
  });
  afterAll(async () => {
    await provider.close();
    fixture.remove();
  });

  test('records usage from usageMetadata and x_groq.usage on each llm interaction', async () => {
    const run = await fixture.run([], {
      AGENTTAPE_MODE: 'record',
      RUN_LABEL: 'record',
      PROVIDER_URL: provider.url,
      GEMINI_API_KEY: 'AIzaSyRealLookingGeminiKey1234567890abcd',
      GROQ_API_KEY: 'gsk_realLookingGroqKey1234567890abcdefgh',
    });
    expect(run.output).toContain('Tests:       5 passed, 5 total');
    expect(run.status).toBe(0);
    expect(fixture.files('cassettes').sort()).toEqual(TESTS.map((t) => `providers.test.js/${t}.yaml`).sort());

    // Gemini counts thinking apart from the answer: completion_tokens adds them, as OpenAI's count does.
    const gemini = { ...GEMINI_USAGE, prompt_tokens: 8, completion_tokens: 29, total_tokens: 37 };
    expect(TESTS.map((test) => ({ test, kind: interactionOf(test).kind, usage: interactionOf(test).usage }))).toEqual([
      { test: 'gemini generateContent', kind: 'llm', usage: gemini },
      { test: 'gemini streamGenerateContent as SSE', kind: 'llm', usage: gemini },
      { test: 'gemini streamGenerateContent as a JSON array', kind: 'llm', usage: gemini },
      { test: 'groq chat completion', kind: 'llm', usage: GROQ_USAGE },
      { test: 'groq chat stream', kind: 'llm', usage: GROQ_USAGE },
    ]);

    // The streams are stored one entry per event, and only the last event carries the usage (Groq's is followed by [DONE]).
    for (const test of ['gemini streamGenerateContent as SSE', 'groq chat stream']) {
      const sse = interactionOf(test).response.sse!;
      expect(sse.length).toBeGreaterThan(3);
      const withUsage = sse.map((event, i) => (JSON.stringify(event).match(/usageMetadata|\\?"usage\\?"/) ? i : -1)).filter((i) => i >= 0);
      expect({ test, withUsage }).toEqual({ test, withUsage: [test.startsWith('groq') ? sse.length - 2 : sse.length - 1] });
    }
    expect(interactionOf('groq chat stream').response.sse!.at(-2)).toMatchObject({ data: { x_groq: { usage: GROQ_USAGE } } });
    // Gemini ends its lines with CRLF, which the readable fields cannot reproduce: each event is kept as its exact text.
    expect(interactionOf('gemini streamGenerateContent as SSE').response.sse![0]).toEqual({
      delay_ms: expect.any(Number),
      raw: `data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text: 'It ' }], role: 'model' }, index: 0 }], modelVersion: 'gemini-2.5-flash', responseId: 'gem_fake1' })}\r\n\r\n`,
    });
    for (const file of fixture.files('cassettes')) expect(fixture.read(`cassettes/${file}`)).not.toMatch(/AIza|gsk_|x-goog-api-key|authorization/i);
  });

  test('replays with the provider stopped: same answers, same chunks, nothing reaches its port', async () => {
    const port = provider.port;
    await provider.close();
    // A fresh server on the same port counts any connection the replay would make.
    provider = await startFakeProvider(port);
    const run = await fixture.run([], { RUN_LABEL: 'replay', PROVIDER_URL: provider.url });
    expect(run.output).toContain('Tests:       5 passed, 5 total');
    expect(run.status).toBe(0);
    expect(provider.connections).toBe(0);
    // Streams are compared as the text the client read: replay serves the chunks as they came off
    // the wire while recording, and the client recording them may have been handed two at once.
    const asRead = (result: unknown) => (Array.isArray(result) && result.every((c) => typeof c === 'string') ? result.join('') : result);
    for (const name of RESULTS) expect({ name, result: asRead(results('replay', name)) }).toEqual({ name, result: asRead(results('record', name)) });
    // …and each chunk is one recorded event, as the server wrote it.
    const events = interactionOf('gemini streamGenerateContent as SSE').response.sse!.map((event) => event.raw);
    expect(results('replay', 'gemini-sse')).toEqual(events);
  });
});
