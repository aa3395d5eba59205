/**
 * A fake LLM provider and plain HTTP API on 127.0.0.1 (port 0), standing in
 * for OpenAI, Anthropic, Google Gemini, Groq and a generic service, over HTTP
 * or, given a certificate, HTTPS. It counts every connection and request so
 * tests can prove that replay sent nothing.
 *
 * Routes (`stream: true` in the request body answers with server-sent events,
 * one event per write, `streamGapMs` apart, one content delta per word of `answer`):
 * - POST /v1/chat/completions  OpenAI chat completion (answer = `answer` field). Given
 *                              function `tools` (not streamed), it calls the first tool until the
 *                              conversation holds a `tool` message, then answers (see toolCallFor)
 * - POST /v1/responses         OpenAI responses API; given function `tools`, streamed or not, its
 *                              output is a `function_call` item until the input holds a
 *                              `function_call_output`, then the answer
 * - POST /mistral/v1/chat/completions  Mistral (the SDK pointed at `<url>/mistral`): its own chat
 *                              shape, and a stream whose last chunk carries `usage`, ended by [DONE]
 * - POST /v1/embeddings        OpenAI embeddings
 * - POST /v1/messages          Anthropic message
 * - POST /openai/v1/chat/completions  Groq (its real path): OpenAI-shaped, with
 *                              `x_groq`; a stream's usage is in the last chunk's `x_groq.usage`
 * - POST /v1beta/models/<model>:generateContent        Gemini, usage in `usageMetadata`
 * - POST /v1beta/models/<model>:streamGenerateContent  Gemini stream: SSE with `?alt=sse`
 *                              (only the last event carries `usageMetadata`), else one JSON array
 * - GET  /compressed/:encoding JSON compressed with gzip, deflate or br
 * - GET  /binary               256 bytes 0..255, application/octet-stream
 * - GET  /pretty               JSON indented by 2 with a trailing newline
 * - GET  /ndjson               a streamed application/x-ndjson body, three lines
 * - POST /upload               counts the bytes of a multipart upload
 * - any  /echo...              echoes method, path, headers and body as JSON
 * - GET  /status/217           answers 217, an unusual status
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import * as zlib from 'node:zlib';

export interface FakeProvider {
  url: string;
  port: number;
  /** The assistant's answer; change it to simulate a model that answers differently. */
  answer: string;
  /** Milliseconds between two events of a streamed answer. */
  streamGapMs: number;
  connections: number;
  requests: { method: string; url: string; body: string }[];
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** "count to N" in a prompt asks for a long answer: the numbers 1 to N. */
function answerFor(body: string, answer: string): string {
  const count = /count to (\d+)/.exec(body);
  return count ? Array.from({ length: Number(count[1]) }, (_, i) => String(i + 1)).join(' ') : answer;
}

/** The answer split into the deltas a model streams: one per word, spaces kept. */
function deltas(answer: string): string[] {
  return answer.match(/\S+\s*/g) ?? [answer];
}

interface StreamRequest {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

/** Groq's usage, timings included; its numbers differ from the OpenAI route's so a test sees where they came from. */
const GROQ_USAGE = { queue_time: 0.02, prompt_tokens: 13, prompt_time: 0.001, completion_tokens: 7, completion_time: 0.01, total_tokens: 20, total_time: 0.011 };

function chatCompletionEvents(request: StreamRequest, answer: string, groq = false): string[] {
  const base = { id: 'chatcmpl-fake1', object: 'chat.completion.chunk', created: 1_700_000_000, model: request.model ?? 'gpt-4o-mini', system_fingerprint: 'fp_fake' };
  const withUsage = request.stream_options?.include_usage === true;
  const usageNull = withUsage ? { usage: null } : {};
  const chunk = (delta: object, finish: string | null, extra: object = {}) => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...usageNull, ...extra });
  // Groq names the request in the first chunk's x_groq and reports usage in the last one's, without being asked.
  const first = groq ? { x_groq: { id: 'req_fake1' } } : {};
  const last = groq ? { x_groq: { id: 'req_fake1', usage: GROQ_USAGE } } : {};
  const events: object[] = [chunk({ role: 'assistant', content: '' }, null, first), ...deltas(answer).map((text) => chunk({ content: text }, null)), chunk({}, 'stop', last)];
  if (withUsage) events.push({ ...base, choices: [], usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 } });
  return [...events.map((e) => `data: ${JSON.stringify(e)}\n\n`), 'data: [DONE]\n\n'];
}

/** A chat completion (non-streamed) answering the request in `body` with one message. */
function chatCompletion(id: string, body: string, message: object, finishReason: string, usage: object) {
  const request = JSON.parse(body || '{}') as { model?: string };
  return { id, object: 'chat.completion', created: 1_700_000_000, model: request.model ?? 'gpt-4o-mini', choices: [{ index: 0, message, finish_reason: finishReason, logprobs: null }], usage };
}

/** A Responses API object: `output` and `usage` only once it is completed, as the API sends them. */
function responseEnvelope(id: string, request: StreamRequest, status: 'in_progress' | 'completed', output: object[], usage: object) {
  const done = status === 'completed';
  return { id, object: 'response', created_at: 1_700_000_000, status, model: request.model ?? 'gpt-4o-mini', output: done ? output : [], usage: done ? usage : null };
}

function responseObject(request: StreamRequest, answer: string, status: 'in_progress' | 'completed') {
  const message = { type: 'message', id: 'msg_fake1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: answer, annotations: [] }] };
  return responseEnvelope('resp_fake1', request, status, [message], { input_tokens: 14, output_tokens: 9, total_tokens: 23, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } });
}

function responsesEvents(request: StreamRequest, answer: string): string[] {
  let sequence = 0;
  const event = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`;
  return [
    event('response.created', { response: responseObject(request, answer, 'in_progress') }),
    ...deltas(answer).map((delta) => event('response.output_text.delta', { item_id: 'msg_fake1', output_index: 0, content_index: 0, delta })),
    event('response.output_text.done', { item_id: 'msg_fake1', output_index: 0, content_index: 0, text: answer }),
    event('response.completed', { response: responseObject(request, answer, 'completed') }),
  ];
}

function anthropicEvents(request: StreamRequest, answer: string): string[] {
  const event = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const message = { id: 'msg_fake1', type: 'message', role: 'assistant', model: request.model ?? 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 11, output_tokens: 1 } };
  return [
    event('message_start', { message }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    event('ping', {}),
    ...deltas(answer).map((text) => event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } })),
    event('content_block_stop', { index: 0 }),
    event('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 8 } }),
    event('message_stop', {}),
  ];
}

/** A function call the fake model asks for: the function's name and its arguments as JSON text. */
interface ToolCall {
  name: string;
  arguments: string;
}

/** The city a prompt asks about ("…weather in Paris?"), London when it names none. */
function cityIn(body: string): string {
  return /weather in ([A-Z][a-zA-Z]+)/.exec(body)?.[1] ?? 'London';
}

/**
 * The tool call a request with function tools gets while no tool result came back yet, or
 * undefined (then the request is answered with text). Chat completions name the function in
 * `tools[].function.name` and return results as `tool` messages; the responses API names it in
 * `tools[].name` and returns results as `function_call_output` input items.
 */
function toolCallFor(body: string): ToolCall | undefined {
  const request = JSON.parse(body || '{}') as {
    tools?: { type?: string; name?: string; function?: { name?: string } }[];
    messages?: { role?: string }[];
    input?: unknown;
  };
  const tool = request.tools?.find((t) => t.type === 'function');
  const name = tool?.function?.name ?? tool?.name;
  if (!name) return undefined;
  const answered = request.messages?.some((m) => m.role === 'tool') || (Array.isArray(request.input) && (request.input as { type?: string }[]).some((i) => i.type === 'function_call_output'));
  if (answered) return undefined;
  return { name, arguments: JSON.stringify({ city: cityIn(JSON.stringify(request.messages ?? request.input ?? '')) }) };
}

/** Usage of a turn that asks for a tool; other numbers than an answer's, so a test sees which turn it read. */
const TOOL_TURN_USAGE = { input_tokens: 31, output_tokens: 12, total_tokens: 43, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } };

function functionCallItem(call: ToolCall, status: 'in_progress' | 'completed') {
  return { type: 'function_call', id: 'fc_fake1', call_id: 'call_fake1', name: call.name, arguments: status === 'completed' ? call.arguments : '', status };
}

function functionCallResponse(request: StreamRequest, call: ToolCall, status: 'in_progress' | 'completed') {
  return responseEnvelope('resp_fake_tool1', request, status, [functionCallItem(call, 'completed')], TOOL_TURN_USAGE);
}

/** A function call as the responses API streams it: the item, its arguments in two deltas, the item done, the response. */
function functionCallEvents(request: StreamRequest, call: ToolCall): string[] {
  let sequence = 0;
  const event = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`;
  const half = Math.ceil(call.arguments.length / 2);
  const item = { item_id: 'fc_fake1', output_index: 0 };
  return [
    event('response.created', { response: functionCallResponse(request, call, 'in_progress') }),
    event('response.in_progress', { response: functionCallResponse(request, call, 'in_progress') }),
    event('response.output_item.added', { output_index: 0, item: functionCallItem(call, 'in_progress') }),
    event('response.function_call_arguments.delta', { ...item, delta: call.arguments.slice(0, half) }),
    event('response.function_call_arguments.delta', { ...item, delta: call.arguments.slice(half) }),
    event('response.function_call_arguments.done', { ...item, name: call.name, arguments: call.arguments }),
    event('response.output_item.done', { output_index: 0, item: functionCallItem(call, 'completed') }),
    event('response.completed', { response: functionCallResponse(request, call, 'completed') }),
  ];
}

/** Mistral's usage: only the three counts, in the last chunk of a stream. */
const MISTRAL_USAGE = { prompt_tokens: 10, total_tokens: 18, completion_tokens: 8 };

/** Mistral's stream: a first chunk with the role, one per word, then a last one with finish_reason and usage. */
function mistralEvents(request: StreamRequest, answer: string): string[] {
  const base = { id: 'cmpl-fake1', object: 'chat.completion.chunk', created: 1_700_000_000, model: request.model ?? 'mistral-small-latest' };
  const chunk = (delta: object, finish: string | null, extra: object = {}) => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }], ...extra });
  const events = [chunk({ role: 'assistant', content: '' }, null), ...deltas(answer).map((content) => chunk({ content }, null)), chunk({ content: '' }, 'stop', { usage: MISTRAL_USAGE })];
  return [...events.map((e) => `data: ${JSON.stringify(e)}\n\n`), 'data: [DONE]\n\n'];
}

/** Gemini's usage, thinking tokens apart from the answer's as Gemini 2.5 reports them. */
const GEMINI_USAGE = { promptTokenCount: 8, candidatesTokenCount: 9, thoughtsTokenCount: 20, totalTokenCount: 37 };

/** Gemini's answer as chunks: one per word, the last with finishReason and usageMetadata. */
function geminiChunks(model: string, answer: string): object[] {
  const words = deltas(answer);
  return words.map((text, i) => {
    const done = i === words.length - 1;
    const candidate = { content: { parts: [{ text }], role: 'model' }, index: 0, ...(done ? { finishReason: 'STOP' } : {}) };
    return { candidates: [candidate], ...(done ? { usageMetadata: GEMINI_USAGE } : {}), modelVersion: model, responseId: 'gem_fake1' };
  });
}

async function writeStream(res: http.ServerResponse, contentType: string, parts: string[], gapMs: number): Promise<void> {
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache' });
  for (const [i, part] of parts.entries()) {
    if (i > 0 && gapMs > 0) await sleep(gapMs);
    if (res.destroyed) return;
    res.write(part);
  }
  res.end();
}

/** How to start the fake provider. */
export interface FakeProviderOptions {
  /** Serve HTTPS with this key and certificate (PEM) instead of HTTP. */
  tls?: { key: string; cert: string };
}

/**
 * Starts the fake provider on a port given by the OS, or on `port`.
 *
 * @example
 * const provider = await startFakeProvider();
 * // … provider.url …
 * await provider.close();
 * const secure = await startFakeProvider(0, { tls: createSelfSignedCert() }); // secure.url is https://…
 */
export async function startFakeProvider(port = 0, options: FakeProviderOptions = {}): Promise<FakeProvider> {
  const state = { answer: 'It is rainy in London, 14°C.', streamGapMs: 5, connections: 0, requests: [] as FakeProvider['requests'] };
  const answer = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const raw = await readBody(req);
    const body = raw.toString('utf8');
    state.requests.push({ method: req.method ?? '', url: req.url ?? '', body });
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(value));
    };
    const url = req.url ?? '/';
    const streamed = (): StreamRequest | undefined => {
      const request = JSON.parse(body || '{}') as StreamRequest;
      return request.stream === true ? request : undefined;
    };
    if (req.method === 'POST' && url.startsWith('/mistral/v1/chat/completions')) {
      const request = JSON.parse(body || '{}') as StreamRequest;
      if (request.stream) return writeStream(res, 'text/event-stream', mistralEvents(request, state.answer), state.streamGapMs);
      return json(200, {
        id: 'cmpl-fake1',
        object: 'chat.completion',
        model: request.model ?? 'mistral-small-latest',
        usage: MISTRAL_USAGE,
        created: 1_700_000_000,
        choices: [{ index: 0, message: { role: 'assistant', content: state.answer, tool_calls: null }, finish_reason: 'stop' }],
      });
    }
    const groq = url.startsWith('/openai/v1/chat/completions');
    if (req.method === 'POST' && (groq || url.startsWith('/v1/chat/completions')) && streamed()) {
      return writeStream(res, 'text/event-stream; charset=utf-8', chatCompletionEvents(streamed()!, answerFor(body, state.answer), groq), state.streamGapMs);
    }
    const gemini = /^\/v1beta\/models\/([^/:?]+):(generateContent|streamGenerateContent)(\?.*)?$/.exec(url);
    if (req.method === 'POST' && gemini) {
      const [, model, method, query = ''] = gemini;
      const chunks = geminiChunks(model, state.answer);
      if (method === 'generateContent') {
        const usageMetadata = (chunks.at(-1) as { usageMetadata: object }).usageMetadata;
        return json(200, { candidates: [{ content: { parts: [{ text: state.answer }], role: 'model' }, finishReason: 'STOP', index: 0 }], usageMetadata, modelVersion: model, responseId: 'gem_fake1' });
      }
      // Gemini ends its SSE lines with CRLF.
      if (new URLSearchParams(query.slice(1)).get('alt') === 'sse')
        return writeStream(
          res,
          'text/event-stream',
          chunks.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`),
          state.streamGapMs,
        );
      return json(200, chunks);
    }
    if (req.method === 'POST' && url.startsWith('/v1/responses')) {
      const request = JSON.parse(body || '{}') as StreamRequest;
      const call = toolCallFor(body);
      if (call && request.stream) return writeStream(res, 'text/event-stream; charset=utf-8', functionCallEvents(request, call), state.streamGapMs);
      if (call) return json(200, functionCallResponse(request, call, 'completed'));
      if (request.stream) return writeStream(res, 'text/event-stream; charset=utf-8', responsesEvents(request, state.answer), state.streamGapMs);
      return json(200, responseObject(request, state.answer, 'completed'));
    }
    if (req.method === 'POST' && url.startsWith('/v1/embeddings')) {
      const request = JSON.parse(body || '{}') as { input?: string | string[]; model?: string };
      const inputs = Array.isArray(request.input) ? request.input : [request.input ?? ''];
      return json(200, {
        object: 'list',
        data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: [text.length / 100, 0.25, -0.5] })),
        model: request.model ?? 'text-embedding-3-small',
        usage: { prompt_tokens: 5 * inputs.length, total_tokens: 5 * inputs.length },
      });
    }
    if (req.method === 'POST' && url.startsWith('/v1/messages') && streamed()) {
      return writeStream(res, 'text/event-stream; charset=utf-8', anthropicEvents(streamed()!, state.answer), state.streamGapMs);
    }
    const compressed = /^\/compressed\/(gzip|deflate|br)/.exec(url);
    if (compressed) {
      const encoding = compressed[1];
      const text = JSON.stringify({ encoding, answer: state.answer });
      const zipped = encoding === 'gzip' ? zlib.gzipSync(text) : encoding === 'deflate' ? zlib.deflateSync(text) : zlib.brotliCompressSync(text);
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding, 'content-length': String(zipped.length) });
      return res.end(zipped);
    }
    if (url.startsWith('/binary')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    }
    if (url.startsWith('/pretty')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(`${JSON.stringify({ answer: state.answer, list: [1, 2] }, null, 2)}\n`);
    }
    if (url.startsWith('/ndjson')) {
      const lines = ['one', 'two', 'three'].map((word, i) => `${JSON.stringify({ i, word })}\n`);
      return writeStream(res, 'application/x-ndjson', lines, state.streamGapMs);
    }
    if (req.method === 'POST' && url.startsWith('/upload')) {
      return json(200, { bytes: raw.length, contentType: req.headers['content-type'] ?? '' });
    }
    const chatToolCall = req.method === 'POST' && url.startsWith('/v1/chat/completions') ? toolCallFor(body) : undefined;
    if (chatToolCall) {
      const message = { role: 'assistant', content: null, tool_calls: [{ id: 'call_fake1', type: 'function', function: chatToolCall }], refusal: null };
      return json(200, { ...chatCompletion('chatcmpl-fake-tool1', body, message, 'tool_calls', { prompt_tokens: 40, completion_tokens: 15, total_tokens: 55 }), system_fingerprint: 'fp_fake' });
    }
    if (req.method === 'POST' && (groq || url.startsWith('/v1/chat/completions'))) {
      const completion = chatCompletion('chatcmpl-fake1', body, { role: 'assistant', content: state.answer }, 'stop', groq ? GROQ_USAGE : { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 });
      return json(200, { ...completion, ...(groq ? { x_groq: { id: 'req_fake1' } } : {}) }, { 'x-request-id': `req_${state.requests.length}` });
    }
    if (req.method === 'POST' && url.startsWith('/v1/messages')) {
      const request = JSON.parse(body || '{}') as { model?: string };
      return json(200, {
        id: 'msg_fake1',
        type: 'message',
        role: 'assistant',
        model: request.model ?? 'claude-sonnet-4-5',
        content: [{ type: 'text', text: state.answer }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 11, output_tokens: 8 },
      });
    }
    if (url.startsWith('/status/217')) return json(217, { unusual: true });
    if (url.startsWith('/echo')) return json(200, { method: req.method, path: url, headers: req.headers, body });
    json(404, { error: `no route ${req.method} ${url}` });
  };
  // A request the fake cannot answer ends its connection (and so fails the test that sent it).
  const handle: http.RequestListener = (req, res) => void answer(req, res).catch((error: Error) => res.destroy(error));
  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handle) : http.createServer(handle);
  // A TLS server emits 'connection' for each TCP connection too, before any handshake.
  server.on('connection', () => {
    state.connections++;
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  const provider: FakeProvider = {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${actual}`,
    port: actual,
    get answer() {
      return state.answer;
    },
    set answer(value: string) {
      state.answer = value;
    },
    get streamGapMs() {
      return state.streamGapMs;
    },
    set streamGapMs(value: number) {
      state.streamGapMs = value;
    },
    get connections() {
      return state.connections;
    },
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return provider;
}
