/**
 * Redaction (docs/redaction.md) end to end: a corpus of realistic secrets sent through the official
 * SDKs, plain fetch and tool wrappers — in headers, JSON, text and form bodies,
 * URLs, query strings, tool-call arguments and results, a tool's thrown error,
 * event streams (plain fetch and both SDKs streaming) and a provider's error
 * message — leaves none of them in any file written under the project: the
 * cassettes, the derived cassettes of a `live` run, and the usage records and
 * parse cache under node_modules/.cache/agenttape. Every test still replays
 * offline from the redacted cassettes.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { execFileSync } from 'node:child_process';
import { createFixture, type FixtureProject } from '../support/packed-project';

/** The Python AgentTape, the outside reader of the format, when this machine has it. */
const PYTHON_AGENTTAPE = '/tmp/pyat/src';
const testWithPython = fs.existsSync(PYTHON_AGENTTAPE) ? test : test.skip;

const CORPUS = path.join(__dirname, '..', 'fixtures', 'secrets', 'corpus.js');
const { SECRETS, CORES } = require('../fixtures/secrets/corpus.js') as { SECRETS: Record<string, string>; CORES: Record<string, string> };

/** What the fake provider answers while recording: a model that repeats keys back (streamed word by word). */
const LEAKY_ANSWER = `Your key is ${SECRETS.openaiProject} (owner ${SECRETS.emailUser}, repo token ${SECRETS.githubClassic}, maps ${SECRETS.googleApiKey}).`;

/** Every file below `root`, caches included. */
function allFiles(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[]).map((f) => path.join(root, f)).filter((f) => fs.statSync(f).isFile());
}

/** `name in file` for each secret core found in a file written under `root`. */
function leaksUnder(root: string): string[] {
  const leaks: string[] = [];
  for (const file of allFiles(root)) {
    const raw = fs.readFileSync(file, 'latin1');
    // Binary bodies are stored as base64: decode every base64-looking run so an encoded key is found too.
    const decoded = (raw.match(/[A-Za-z0-9+/]{16,}={0,2}/g) ?? []).map((run) => Buffer.from(run, 'base64').toString('latin1'));
    const text = [raw, ...decoded].join('\n');
    for (const [name, core] of Object.entries(CORES)) if (text.includes(core)) leaks.push(`${name} in ${path.relative(root, file)}`);
  }
  return leaks;
}

/** A provider that streams events and refuses keys, both echoing secrets back. */
async function startLeakyServer(port = 0): Promise<{ url: string; port: number; connections(): number; close(): Promise<void> }> {
  let connections = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url?.startsWith('/bin')) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.concat([Buffer.from([0x00, 0xff, 0x89]), Buffer.from(`cfg id=${SECRETS.awsAccessKey} key ${SECRETS.openaiProject}`), Buffer.from([0xc3, 0x28])]));
        return;
      }
      if (req.url?.startsWith('/sse')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`event: delta\ndata: ${JSON.stringify({ text: `Your key is ${SECRETS.anthropic}`, api_key: SECRETS.queryApiKey })}\n\n`);
        res.write(`data: ${JSON.stringify({ text: `mail ${SECRETS.emailSupport} jwt ${SECRETS.jwt}` })}\n\n`);
        res.end('data: [DONE]\n\n');
        return;
      }
      const key = String(req.headers.authorization ?? '').replace('Bearer ', '');
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': `Bearer realm="api", error="${key}"` });
      res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${key}. Contact ${SECRETS.emailUser}.`, type: 'invalid_request_error', code: 'invalid_api_key' } }));
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const AGENT_TEST = `
const OpenAI = require('openai').default;
const Anthropic = require('@anthropic-ai/sdk').default;
const { cassette, tool } = require('agenttape');
const { SECRETS: S } = require(process.env.CORPUS);

const chargeCard = tool('charge_card', async (card) => ({ ok: true, charged_with: card.api_key, receipt_to: card.owner, session: { refresh_token: S.refreshToken } }));
const notify = tool('notify', async (address) => { throw new Error('SMTP rejected ' + address + ' (bot token ' + S.slackBot + ')'); });
const base = process.env.PROVIDER_URL;
const leaky = process.env.LEAKY_URL;

test('openai sdk: key header, custom headers, query, messages, tool calls and results', async () => {
  const openai = new OpenAI({
    apiKey: S.openaiProject,
    baseURL: base + '/echo/v1',
    defaultHeaders: { 'x-tenant-key': S.customHeaderKey, 'x-trace-note': 'ref ' + S.customPattern + ' ' + S.githubOauth },
    defaultQuery: { api_key: S.queryApiKey },
  });
  const echo = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [
      { role: 'user', content: 'Charge the card and e-mail ' + S.emailUser + ' the receipt.' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'charge_card', arguments: JSON.stringify({ amount: 42, api_key: S.stripeLive, notify: S.emailSupport }) } }] },
      { role: 'tool', tool_call_id: 'call_1', content: JSON.stringify({ ok: true, token: S.sshLikeSecretInToolResult }) },
    ],
  });
  expect(echo.path).toMatch(/^\\/echo\\/v1\\/chat\\/completions/);
  // With every boundary live, the recordings stay unused.
  if (!process.env.ALL_LIVE) expect(cassette).toHaveReplayedAll();
});

test('anthropic sdk: x-api-key, keys and PEM in messages, tool_use and tool_result', async () => {
  const anthropic = new Anthropic({ apiKey: S.anthropic, baseURL: base + '/echo' });
  const echo = await anthropic.messages.create({
    model: 'claude-sonnet-4-5',
    max_tokens: 100,
    messages: [
      { role: 'user', content: 'Rotate ' + S.awsAccessKey + ' and ' + S.awsTemporaryKey + ' using this key:\\n' + S.pemRsa },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'tu_1', name: 'rotate', input: { access_key: S.awsAccessKey, password: S.password } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu_1', content: 'rotated; new secret_key=' + S.clientSecret }] },
    ],
  });
  expect(echo.path).toBe('/echo/v1/messages');
});

test('fetch: secret headers and a JSON body', async () => {
  const res = await fetch(base + '/echo/json', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: S.bearerOpaque,
      cookie: S.sessionCookie,
      'x-api-key': S.openaiLegacy,
      'proxy-authorization': S.basicAuth,
    },
    body: JSON.stringify({
      password: S.password,
      client_secret: S.clientSecret,
      access_token: S.accessToken,
      refresh_token: S.refreshToken,
      config: { databaseUrl: S.urlCredentials, notes: ['GitHub ' + S.githubClassic, 'Slack ' + S.slackBot] },
    }),
  });
  expect((await res.json()).method).toBe('POST');
});

test('fetch: a text body with a pasted curl command and keys', async () => {
  const text = [
    'curl https://api.example.com -H "Authorization: ' + S.bearerOpaque + '"',
    'JWT ' + S.jwt,
    'maps ' + S.googleApiKey + ' stripe ' + S.stripeLive,
    S.pemOpenSsh,
  ].join('\\n');
  const res = await fetch(base + '/echo/text', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: text });
  expect((await res.json()).path).toBe('/echo/text');
});

test('fetch: a form body', async () => {
  const form = new URLSearchParams({ client_secret: S.clientSecret, password: S.password, username: S.emailUser, grant_type: 'password' });
  const res = await fetch(base + '/echo/oauth/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  expect(res.status).toBe(200);
});

test('fetch: secrets in the URL path and query string', async () => {
  const url = base + '/echo/users/' + encodeURIComponent(S.emailUser) + '/keys?token=' + S.queryToken + '&api_key=' + S.queryApiKey + '&key=' + S.googleApiKey + '&page=2';
  const res = await fetch(url);
  expect((await res.json()).method).toBe('GET');
});

test('fetch: webhook and platform tokens nested in JSON', async () => {
  const res = await fetch(base + '/echo/integrations', {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      slack: { webhook: S.slackWebhook, user: S.slackUser },
      stripe: { webhook: S.stripeWebhook, restricted: S.stripeRestricted },
      github: [S.githubFineGrained],
      openai: { serviceAccount: S.openaiServiceAccount },
      reference: 'order ' + S.customPattern,
    }),
  });
  expect(res.status).toBe(200);
});

test('fetch: a long conversation (a large cassette, parsed through the cache on replay) with keys', async () => {
  const secrets = [S.openaiProject, S.anthropic, S.awsAccessKey, S.jwt, S.emailUser, S.stripeLive];
  const messages = Array.from({ length: 600 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: 'Turn ' + i + ': the weather in London is rainy again, as it was yesterday. ' + (i % 100 === 7 ? 'Use ' + secrets[(i - 7) / 100] : '') }));
  const res = await fetch(base + '/echo/long', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages }) });
  expect(res.status).toBe(200);
});

test('fetch: a server-sent event stream carrying keys', async () => {
  const res = await fetch(leaky + '/sse');
  const text = await res.text();
  expect(text).toContain('data: [DONE]');
});

test('fetch: binary bodies (an upload and a download) holding keys', async () => {
  const upload = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00]), Buffer.from('tEXt api ' + S.googleApiKey + ' by ' + S.emailUser), Buffer.from([0xff, 0x00])]);
  const res = await fetch(base + '/echo/upload', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: upload });
  expect(res.status).toBe(200);
  const bytes = Buffer.from(await (await fetch(leaky + '/bin')).arrayBuffer());
  // The bytes around the keys come back as they were sent, in record and replay.
  expect([...bytes.subarray(0, 3)]).toEqual([0x00, 0xff, 0x89]);
  expect([...bytes.subarray(-2)]).toEqual([0xc3, 0x28]);
});

test('tool wrappers: arguments, results and a thrown error message', async () => {
  const receipt = await chargeCard({ amount: 42, api_key: S.stripeRestricted, owner: S.emailUser });
  expect(receipt.ok).toBe(true);
  await expect(notify(S.emailSupport)).rejects.toThrow('SMTP rejected');
  // With every boundary live, the recordings stay unused.
  if (!process.env.ALL_LIVE) expect(cassette).toHaveReplayedAll();
});

test('openai sdk: a streamed answer carrying keys, event by event', async () => {
  const openai = new OpenAI({ apiKey: S.openaiProject, baseURL: base + '/v1' });
  const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Which key do I use?' }] });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  expect(text).toContain('Your key is ');
});

test('anthropic sdk: a streamed answer carrying keys, event by event', async () => {
  const anthropic = new Anthropic({ apiKey: S.anthropic, baseURL: base });
  const stream = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Which key do I use?' }] });
  let text = '';
  for await (const event of stream) if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
  expect(text).toContain('Your key is ');
});

test('fetch: the provider error message and www-authenticate header quote the key', async () => {
  const res = await fetch(leaky + '/v1/models', { headers: { authorization: 'Bearer ' + S.openaiServiceAccount } });
  expect(res.status).toBe(401);
  expect((await res.json()).error.code).toBe('invalid_api_key');
});

test('openai sdk: the provider error message quotes the key', async () => {
  const openai = new OpenAI({ apiKey: S.openaiProject, baseURL: leaky + '/v1', maxRetries: 0 });
  await expect(openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 401 });
});
`;

describe('secrets never reach disk', () => {
  let provider: FakeProvider;
  let leaky: Awaited<ReturnType<typeof startLeakyServer>>;
  let fixture: FixtureProject;

  beforeAll(async () => {
    provider = await startFakeProvider();
    leaky = await startLeakyServer();
    fixture = createFixture('redaction');
    fixture.write('agenttape.config.json', JSON.stringify({ redact: { names: ['x-tenant-key'], patterns: ['ACME-[0-9]{8}'] } }, null, 2));
    fixture.write('agent.test.js', AGENT_TEST);
  });
  afterAll(async () => {
    await provider.close();
    await leaky.close();
    fixture.remove();
  });

  test('the corpus covers every secret shape docs/redaction.md names', () => {
    expect(Object.keys(SECRETS).length).toBeGreaterThanOrEqual(30);
    for (const [name, core] of Object.entries(CORES)) expect(SECRETS[name]).toContain(core);
    // Each shape of docs/redaction.md, by the corpus entry that carries it.
    const shapes: [string, string, RegExp][] = [
      ['OpenAI sk-', 'openaiLegacy', /^sk-[A-Za-z0-9]{40,}$/],
      ['OpenAI sk-proj-', 'openaiProject', /^sk-proj-/],
      ['Anthropic sk-ant-', 'anthropic', /^sk-ant-/],
      ['AWS AKIA', 'awsAccessKey', /^AKIA[A-Z0-9]{16}$/],
      ['GitHub ghp_', 'githubClassic', /^ghp_/],
      ['Slack xox', 'slackBot', /^xox[bp]-/],
      ['Google AIza', 'googleApiKey', /^AIza/],
      ['Stripe sk_live_', 'stripeLive', /^sk_live_/],
      ['Bearer', 'bearerOpaque', /^Bearer \S+$/],
      ['JWT', 'jwt', /^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/],
      ['PEM private key', 'pemRsa', /^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+-----END RSA PRIVATE KEY-----$/],
      ['credentials in a URL', 'urlCredentials', /^\w+:\/\/[^:/]+:[^@]+@/],
      ['e-mail address', 'emailUser', /^[^@\s]+@[^@\s]+\.\w+$/],
    ];
    for (const [, name, shape] of shapes) expect(SECRETS[name]).toMatch(shape);
    // Key and token query parameters: sent as ?token=…&api_key=…&key=… by the URL test below.
    expect(AGENT_TEST).toContain("'/keys?token=' + S.queryToken + '&api_key=' + S.queryApiKey + '&key=' + S.googleApiKey");
  });

  test('recording through the SDKs and fetch writes none of the secrets', async () => {
    provider.answer = LEAKY_ANSWER;
    const run = await fixture.run([], { AGENTTAPE_MODE: 'record', CORPUS, PROVIDER_URL: provider.url, LEAKY_URL: leaky.url });
    expect(run.output).toContain('Tests:       15 passed, 15 total');
    expect(run.status).toBe(0);
    const files = allFiles(path.join(fixture.dir, 'cassettes'));
    expect(files).toHaveLength(15);
    // Every file the run wrote, not only the cassettes: usage records under node_modules/.cache/agenttape too.
    expect(allFiles(path.join(fixture.dir, 'node_modules', '.cache', 'agenttape')).length).toBeGreaterThan(0);
    expect(leaksUnder(fixture.dir)).toEqual([]);
    const all = files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    // Redacted, not dropped: the placeholder stands where each secret was.
    expect(all.split('***REDACTED***').length - 1).toBeGreaterThanOrEqual(40);
    // What is not secret survives: the prompt, the tool name, the event stream.
    expect(all).toContain('the receipt.');
    expect(all).toContain('charge_card');
    expect(all).toMatch(/data: ['"]?\[DONE\]/);
    expect(all).toContain('SMTP rejected ***REDACTED*** (bot token ***REDACTED***)');
    // The streamed answers were recorded event by event, each event scrubbed.
    expect(all).toContain('content: "***REDACTED*** "');
    expect(all).toContain('text: "***REDACTED*** "');
  });

  testWithPython('the Python AgentTape validates every cassette and its secret scan finds nothing', () => {
    const files = allFiles(path.join(fixture.dir, 'cassettes'));
    for (const file of files) {
      const output = execFileSync('python3', ['-m', 'agenttape', 'validate', file], { env: { ...process.env, PYTHONPATH: PYTHON_AGENTTAPE }, encoding: 'utf8' });
      expect(output).toContain('valid — no issues found');
    }
  });

  test('every test replays from the redacted cassettes with both servers stopped', async () => {
    const ports = { provider: provider.port, leaky: leaky.port };
    await provider.close();
    await leaky.close();
    provider = await startFakeProvider(ports.provider);
    leaky = await startLeakyServer(ports.leaky);
    const run = await fixture.run([], { CORPUS, PROVIDER_URL: provider.url, LEAKY_URL: leaky.url });
    expect(run.output).toContain('Tests:       15 passed, 15 total');
    expect(run.status).toBe(0);
    expect(provider.connections + leaky.connections()).toBe(0);
    // A replay writes parse caches and usage records: still nothing secret.
    expect(allFiles(path.join(fixture.dir, 'node_modules', '.cache', 'agenttape', 'parsed')).length).toBeGreaterThan(0);
    expect(leaksUnder(fixture.dir)).toEqual([]);
  });

  test("live: ['*'] in replay sends everything again and writes derived cassettes without a secret; the originals are unchanged", async () => {
    const originals = allFiles(path.join(fixture.dir, 'cassettes')).map((f) => [f, fs.readFileSync(f, 'utf8')]);
    provider.answer = LEAKY_ANSWER;
    fixture.write('agenttape.config.json', JSON.stringify({ redact: { names: ['x-tenant-key'], patterns: ['ACME-[0-9]{8}'] }, live: ['*'] }, null, 2));
    const run = await fixture.run([], { CORPUS, PROVIDER_URL: provider.url, LEAKY_URL: leaky.url, ALL_LIVE: '1' });
    expect(run.output).toContain('Tests:       15 passed, 15 total');
    expect(run.status).toBe(0);
    expect(provider.connections).toBeGreaterThan(0);
    expect(allFiles(path.join(fixture.dir, 'cassettes')).filter((f) => f.endsWith('.derived.yaml'))).toHaveLength(15);
    for (const [file, text] of originals) expect(fs.readFileSync(file, 'utf8')).toBe(text);
    expect(leaksUnder(fixture.dir)).toEqual([]);
  });
});
