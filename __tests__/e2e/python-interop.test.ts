/**
 * Interoperable (docs/python-interop.md): cassettes written by a Jest run load in the Python
 * AgentTape CLI (`validate` and `inspect`), with its PyYAML reader and with its
 * stdlib fallback reader. The CLI is not part of this repository: the suite
 * skips, saying why, where `/tmp/pyat/src` is absent.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createFixture, type FixtureProject } from '../support/packed-project';
import { closedPort } from '../support/closed-port';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { runJson } from '../support/jest-json';
const { OPENAI_RECORDING_KEY, ANTHROPIC_RECORDING_KEY } = require('../fixtures/secrets/fake-keys.js') as Record<string, string>;

const PYTHON_AGENTTAPE = '/tmp/pyat';
const available = fs.existsSync(path.join(PYTHON_AGENTTAPE, 'src', 'agenttape'));
const describeWithPython = available ? describe : describe.skip;

const AGENT_TEST = `
const OpenAI = require('openai').default;
const Anthropic = require('@anthropic-ai/sdk').default;
const llm = process.env.LLM_URL;
const api = process.env.API_URL;
const openai = new OpenAI({ baseURL: llm + '/v1' });
const anthropic = new Anthropic({ baseURL: llm });

describe('interop', () => {
  test('openai and anthropic', async () => {
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather?' }] });
    await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'Weather?' }] });
  });
  test('http bodies: json, text, binary, an unusual status', async () => {
    await fetch(api + '/echo/json?b=2&a=1', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ q: 'multi\\nline', n: 1.5, ok: true, none: null }) });
    await fetch(api + '/echo/text', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'plain: text # not yaml' });
    await fetch(api + '/echo/binary', { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array([0, 1, 2, 254, 255]) });
    await fetch(api + '/status/217');
  });
  test('streams and a multipart upload', async () => {
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather?' }], stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) void chunk;
    await anthropic.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'Weather?' }] }).finalMessage();
    await (await fetch(api + '/ndjson')).text();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array([0, 1, 2, 253, 254, 255])]), 'data.bin');
    await fetch(api + '/upload', { method: 'POST', body: form });
  });
  test('a connection error', async () => {
    await expect(fetch(process.env.CLOSED_URL + '/unreachable')).rejects.toThrow();
  });
});
`;

interface CliRun {
  status: number | null;
  output: string;
}

function cli(args: string[], env: Record<string, string> = {}): CliRun {
  const result = spawnSync('python3', ['-m', 'agenttape', ...args], {
    cwd: PYTHON_AGENTTAPE,
    env: { ...process.env, PYTHONPATH: path.join(PYTHON_AGENTTAPE, 'src'), ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describeWithPython(`cassettes written here, read by the Python AgentTape CLI${available ? '' : ` (skipped: ${PYTHON_AGENTTAPE}/src is absent)`}`, () => {
  let llm: FakeProvider;
  let api: FakeProvider;
  let fixture: FixtureProject;
  let cassettes: string[];

  beforeAll(async () => {
    llm = await startFakeProvider();
    api = await startFakeProvider();
    fixture = createFixture('python-interop', { testEnvironmentOptions: { agenttape: { llmHosts: [new URL(llm.url).host] } } });
    fixture.write('interop.test.js', AGENT_TEST);
    const run = await runJson(fixture, [], {
      AGENTTAPE_MODE: 'record',
      LLM_URL: llm.url,
      API_URL: api.url,
      CLOSED_URL: `http://127.0.0.1:${await closedPort()}`,
      OPENAI_API_KEY: OPENAI_RECORDING_KEY,
      ANTHROPIC_API_KEY: ANTHROPIC_RECORDING_KEY,
    });
    if (run.status !== 0) throw new Error(`The record run failed:\n${run.output}`);
    cassettes = fixture.files('cassettes').map((f) => path.join(fixture.dir, 'cassettes', f));
  });
  afterAll(async () => {
    await llm.close();
    await api.close();
    fixture.remove();
  });

  test('the run wrote llm, http and error interactions', () => {
    expect(cassettes.map((f) => path.basename(f))).toEqual([
      'interop a connection error.yaml',
      'interop http bodies_ json, text, binary, an unusual status.yaml',
      'interop openai and anthropic.yaml',
      'interop streams and a multipart upload.yaml',
    ]);
    const all = cassettes.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    for (const part of [
      'kind: llm',
      'kind: http',
      'error:',
      'body_b64:',
      'text: "plain: text # not yaml"',
      'status_code: 217',
      'prompt_tokens: 12',
      'input_tokens: 11',
      'sse:',
      'event: message_start',
      'chunks:',
      'boundary=AGENTTAPE_BOUNDARY',
    ]) {
      expect(all).toContain(part);
    }
  });

  test.each([
    ['PyYAML', {}],
    ['stdlib YAML', { AGENTTAPE_FORCE_STDLIB_YAML: '1' }],
  ])('validate and inspect pass with the %s reader', (_reader, env) => {
    const inspected: string[] = [];
    for (const file of cassettes) {
      const validate = cli(['validate', file], env);
      expect({ file, ...validate }).toEqual({ file, status: 0, output: expect.stringContaining('valid — no issues found') });
      const inspect = cli(['inspect', file], env);
      expect({ file, ...inspect }).toEqual({ file, status: 0, output: inspect.output });
      inspected.push(inspect.output);
    }
    // Anthropic's input/output tokens count too: 12+9 (openai) and 11+8 (anthropic).
    expect(inspected[2]).toContain('2 interactions');
    expect(inspected[2]).toContain('23+17=40 tokens');
    expect(inspected[1]).toContain('4 interactions');
    // The streamed answers carry the same usage, read from their events.
    expect(inspected[3]).toContain('4 interactions');
    expect(inspected[3]).toContain('23+17=40 tokens');
  });
});
