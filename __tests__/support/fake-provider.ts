/**
 * A fake LLM provider and plain HTTP API on 127.0.0.1 (port 0), standing in
 * for OpenAI, Anthropic and a generic service. It counts every connection and
 * request so tests can prove that replay sent nothing.
 *
 * Routes:
 * - POST /v1/chat/completions  OpenAI chat completion (answer = `answer` field)
 * - POST /v1/messages          Anthropic message
 * - any  /echo...              echoes method, path, headers and body as JSON
 * - GET  /status/217           answers 217, an unusual status
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeProvider {
  url: string;
  port: number;
  /** The assistant's answer; change it to simulate a model that answers differently. */
  answer: string;
  connections: number;
  requests: { method: string; url: string; body: string }[];
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Starts the fake provider on a port given by the OS, or on `port`.
 *
 * @example
 * const provider = await startFakeProvider();
 * // … provider.url …
 * await provider.close();
 */
export async function startFakeProvider(port = 0): Promise<FakeProvider> {
  const state = { answer: 'It is rainy in London, 14°C.', connections: 0, requests: [] as FakeProvider['requests'] };
  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    state.requests.push({ method: req.method ?? '', url: req.url ?? '', body });
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(value));
    };
    const url = req.url ?? '/';
    if (req.method === 'POST' && url.startsWith('/v1/chat/completions')) {
      const request = JSON.parse(body || '{}') as { model?: string };
      return json(200, {
        id: 'chatcmpl-fake1',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: request.model ?? 'gpt-4o-mini',
        choices: [{ index: 0, message: { role: 'assistant', content: state.answer }, finish_reason: 'stop', logprobs: null }],
        usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
      }, { 'x-request-id': `req_${state.requests.length}` });
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
  });
  server.on('connection', () => {
    state.connections++;
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  const provider: FakeProvider = {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    get answer() {
      return state.answer;
    },
    set answer(value: string) {
      state.answer = value;
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
