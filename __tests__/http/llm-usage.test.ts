import type { Json } from '../../src/json';
import { extractLlmUsage } from '../../src/http/llm-usage';
import { encodeStreamedBody } from '../../src/http/streamed-body';

test('OpenAI JSON usage is kept as reported', () => {
  expect(extractLlmUsage({ json: { usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 } } })).toEqual({ prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 });
});

test('Anthropic input/output tokens also read as prompt/completion/total', () => {
  expect(extractLlmUsage({ json: { usage: { input_tokens: 11, output_tokens: 8 } } })).toEqual({ input_tokens: 11, output_tokens: 8, prompt_tokens: 11, completion_tokens: 8, total_tokens: 19 });
});

test('an OpenAI stream reports usage in its include_usage chunk', () => {
  const sse: Json = [{ data: { choices: [{ delta: { content: 'a' } }], usage: null } }, { data: { choices: [], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } } }, { data: '[DONE]' }];
  expect(extractLlmUsage({ sse })).toEqual({ prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 });
});

test('an Anthropic stream merges message_start and the final message_delta', () => {
  const sse: Json = [
    { event: 'message_start', data: { type: 'message_start', message: { usage: { input_tokens: 11, output_tokens: 1 } } } },
    { event: 'message_delta', data: { type: 'message_delta', usage: { output_tokens: 8 } } },
  ];
  expect(extractLlmUsage({ sse })).toEqual({ input_tokens: 11, output_tokens: 8, prompt_tokens: 11, completion_tokens: 8, total_tokens: 19 });
});

test('a responses API stream reports usage in response.completed', () => {
  const sse: Json = [
    { event: 'response.created', data: { response: { usage: null } } },
    { event: 'response.completed', data: { response: { usage: { input_tokens: 14, output_tokens: 9, total_tokens: 23 } } } },
  ];
  expect(extractLlmUsage({ sse })).toEqual({ input_tokens: 14, output_tokens: 9, total_tokens: 23, prompt_tokens: 14, completion_tokens: 9 });
});

test('no usage reported: null', () => {
  expect(extractLlmUsage({ sse: [{ data: { choices: [] } }] })).toBeNull();
  expect(extractLlmUsage({ text: 'hello' })).toBeNull();
});

describe('Google Gemini reports usageMetadata', () => {
  const metadata = { promptTokenCount: 9, candidatesTokenCount: 7, thoughtsTokenCount: 4, totalTokenCount: 20 };
  const named = { prompt_tokens: 9, completion_tokens: 11, total_tokens: 20 };

  test('generateContent: kept as reported, thinking counted in completion_tokens, the reported total kept', () => {
    const json: Json = { candidates: [{ content: { parts: [{ text: 'rainy' }] } }], usageMetadata: metadata, modelVersion: 'gemini-2.5-flash' };
    expect(extractLlmUsage({ json })).toEqual({ ...metadata, ...named });
  });

  test('streamGenerateContent with alt=sse: the last event holds the totals', () => {
    const sse: Json = [{ data: { candidates: [], usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 } } }, { data: { candidates: [], usageMetadata: metadata } }];
    expect(extractLlmUsage({ sse })).toEqual({ ...metadata, ...named });
  });

  test('streamGenerateContent with alt=sse as recorded: CRLF line ends keep the events raw, their usage is still read', () => {
    const events = [{ candidates: [{ content: { parts: [{ text: 'rainy' }] } }] }, { candidates: [], usageMetadata: metadata }];
    const stored = encodeStreamedBody(
      events.map((event) => ({ delayMs: 1, bytes: Buffer.from(`data: ${JSON.stringify(event)}\r\n\r\n`) })),
      'text/event-stream',
    );
    expect((stored.sse as { raw?: string }[]).every((e) => typeof e.raw === 'string')).toBe(true);
    expect(extractLlmUsage(stored)).toEqual({ ...metadata, ...named });
  });

  test('streamGenerateContent without alt=sse: one JSON array of chunks', () => {
    const json: Json = [
      { candidates: [], usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 2, totalTokenCount: 11 } },
      { candidates: [], usageMetadata: metadata },
    ];
    expect(extractLlmUsage({ json })).toEqual({ ...metadata, ...named });
  });
});

test('a Groq stream reports usage under x_groq in its last chunk', () => {
  const sse: Json = [
    { data: { choices: [{ delta: { content: 'a' } }] } },
    { data: { choices: [{ delta: {}, finish_reason: 'stop' }], x_groq: { id: 'req_1', usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, queue_time: 0.01 } } } },
    { data: '[DONE]' },
  ];
  expect(extractLlmUsage({ sse })).toEqual({ prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, queue_time: 0.01 });
});
