/**
 * The HTTP adapter on its own (docs/interception.md): the handler built by
 * `createHttpHandler`, behind the real interception, for real requests made
 * with the global fetch and node:http to a server on 127.0.0.1. A tape and a
 * runtime stand in for the session that owns them; the decision, the
 * recording and the replay are the code under test.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CassetteDocument, Interaction } from '../../src/cassette/cassette-schema';
import type { Json } from '../../src/json';
import { loadConfig } from '../../src/config/config';
import type { Mode } from '../../src/config/modes';
import type { CassetteRuntime } from '../../src/engine/cassette-runtime';
import { matchKeyOf } from '../../src/engine/match-index';
import { Tape } from '../../src/engine/tape';
import { CassetteCorruptError, ERROR_CODES } from '../../src/errors';
import { createHttpHandler } from '../../src/http/http-handler';
import { HttpInterception } from '../../src/http/request-interception';
import { runtimeFor } from '../support/test-runtime';

const project = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-http-handler-'));
const config = loadConfig(project);
const owner = { testName: 'agent answers', testFile: 'agent.test.ts', cassettePath: path.join(project, 'agent answers.yaml'), fileScope: false };

let server: http.Server;
let origin: string;
let host: string;
let hits = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      hits++;
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-served-by', 'live');
      res.end(JSON.stringify({ hit: hits, echo: body, path: req.url }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  origin = `http://${host}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(project, { recursive: true, force: true });
});

const runtimeOf = (tape: Tape, executing = false): CassetteRuntime => runtimeFor(tape, config, () => executing);

let interception: HttpInterception | undefined;
function intercept(runtime: CassetteRuntime): void {
  interception = new HttpInterception(createHttpHandler(runtime));
  interception.activate();
}
afterEach(() => {
  interception?.deactivate();
  interception = undefined;
});

const tapeOf = (mode: Mode, existing: CassetteDocument | null = null) => new Tape(owner, existing, config, { mode, source: 'test' });
const docOf = (...interactions: Interaction[]): CassetteDocument => ({ version: '1', created_at: 't', run_id: 'r', meta: { tags: [] }, interactions });

function recording(pathname: string, question: string, answer: { [key: string]: Json }): Interaction {
  const request = { method: 'POST', url: `${origin}${pathname}`, headers: { 'content-type': 'text/plain;charset=UTF-8' }, text: question };
  return {
    index: 0,
    kind: 'http',
    boundary: host,
    request,
    response: { status_code: 201, headers: { 'content-type': 'application/json', 'x-served-by': 'cassette' }, json: answer },
    match_key: matchKeyOf(request, config),
    latency_ms: 1,
    usage: null,
    tags: [],
    metadata: {},
  };
}

const ask = (pathname: string, question: string, headers: Record<string, string> = {}) => fetch(`${origin}${pathname}`, { method: 'POST', body: question, headers });

function nodeGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('record', () => {
  test('fetch and node:http reach the server; each exchange is recorded once its response ended, redacted, with its match key', async () => {
    const tape = tapeOf('record');
    intercept(runtimeOf(tape));
    const before = hits;
    const answer = (await (await ask('/ask', 'weather?', { authorization: 'Bearer sk-proj-abcdefghijklmnopqrstuv1234' })).json()) as { hit: number };
    const viaNode = await nodeGet(`${origin}/ping?b=2&a=1`);
    expect(hits).toBe(before + 2);
    expect(answer.hit).toBe(before + 1);
    expect(viaNode.status).toBe(200);
    await tape.settled();

    const written = tape.toDocument('0.0.0', new Date(0)).interactions;
    expect(written.map((i) => [i.kind, i.boundary, i.request.method, i.request.url])).toEqual([
      ['http', host, 'POST', `${origin}/ask`],
      ['http', host, 'GET', `${origin}/ping?b=2&a=1`],
    ]);
    const [first] = written;
    expect(first.request.text).toBe('weather?');
    expect(first.request.headers).not.toHaveProperty('authorization');
    expect(first.match_key).toBe(matchKeyOf(first.request, config));
    expect(first.response).toMatchObject({ status_code: 200, headers: { 'x-served-by': 'live' }, json: { hit: before + 1, echo: 'weather?' } });
    expect(tape.failures).toEqual([]);
  });

  test('a request made while a boundary executes goes out unrecorded (the outermost boundary wins)', async () => {
    const tape = tapeOf('record');
    intercept(runtimeOf(tape, true));
    const before = hits;
    await (await ask('/inner', 'nested')).text();
    expect(hits).toBe(before + 1);
    await tape.settled();
    expect(tape.dirty).toBe(false);
  });

  test('a connection refused is recorded as the error the client saw', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const tape = tapeOf('record');
    intercept(runtimeOf(tape));
    await expect(nodeGet(`http://127.0.0.1:${port}/gone`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await tape.settled();
    const [recorded] = tape.toDocument('0.0.0', new Date(0)).interactions;
    expect(recorded.error).toMatchObject({ code: 'ECONNREFUSED' });
    expect(recorded.response).toBeUndefined();
  });
});

describe('replay', () => {
  test('serves identical requests the recordings in order, without reaching the server', async () => {
    const tape = tapeOf('none', docOf(recording('/ask', 'weather?', { answer: 'sunny' }), recording('/ask', 'weather?', { answer: 'rain' })));
    intercept(runtimeOf(tape));
    const before = hits;
    const first = await ask('/ask', 'weather?');
    const second = await ask('/ask', 'weather?');
    expect(hits).toBe(before);
    expect(first.status).toBe(201);
    expect(first.headers.get('x-served-by')).toBe('cassette');
    expect(await first.json()).toEqual({ answer: 'sunny' });
    expect(await second.json()).toEqual({ answer: 'rain' });
    expect(tape.timeline.map((entry) => entry.source)).toEqual(['replayed', 'replayed']);
    expect(tape.unused()).toEqual([]);
  });

  test('a recorded network error is replayed as a failure of the request', async () => {
    const failed: Interaction = { ...recording('/down', 'hello', {}), response: undefined, error: { type: 'Error', message: 'connect ECONNREFUSED', code: 'ECONNREFUSED' } };
    const tape = tapeOf('none', docOf(failed));
    intercept(runtimeOf(tape));
    await expect(ask('/down', 'hello')).rejects.toThrow();
    expect(tape.failures).toEqual([]);
  });

  test('a recording found damaged on first read fails the request and the test, even if the code catches it', async () => {
    const damaged = recording('/ask', 'weather?', {});
    // As a large cassette's response parsed on first read (src/cassette/yaml-lazy-read.ts) that cannot be read.
    Object.defineProperty(damaged, 'response', {
      get: () => {
        throw new CassetteCorruptError('Cassette big.yaml is corrupt: field "interactions[0].response" (line 9) must be a mapping with status_code.');
      },
    });
    const tape = tapeOf('none', docOf(damaged));
    intercept(runtimeOf(tape));
    await expect(ask('/ask', 'weather?')).rejects.toThrow();
    expect(tape.failures.map((error) => error.message)).toEqual([expect.stringContaining('field "interactions[0].response" (line 9)')]);
  });
});

describe('refuse', () => {
  test('in none mode an unmatched request fails, reaches no server, and fails the test even if the code catches it', async () => {
    const tape = tapeOf('none', docOf(recording('/ask', 'weather?', { answer: 'sunny' })));
    intercept(runtimeOf(tape));
    const before = hits;
    await expect(ask('/ask', 'something else')).rejects.toThrow();
    await expect(nodeGet(`${origin}/never`)).rejects.toMatchObject({ code: ERROR_CODES.unmatched });
    expect(hits).toBe(before);
    expect(tape.failures.map((error) => (error as { code?: string }).code)).toEqual([ERROR_CODES.unmatched, ERROR_CODES.unmatched]);
    expect(tape.failures[0].message).toContain(`${origin}/ask`);
  });

  test('an SDK request (x-stainless-* headers) gets a 400 it does not retry, and the test still fails', async () => {
    const tape = tapeOf('none');
    intercept(runtimeOf(tape));
    const response = await ask('/v1/chat/completions', '{}', { 'x-stainless-retry-count': '0' });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-should-retry')).toBe('false');
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(ERROR_CODES.unmatched);
    expect(tape.failures).toHaveLength(1);
  });
});
