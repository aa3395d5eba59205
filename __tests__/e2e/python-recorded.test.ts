/**
 * A cassette written by the Python AgentTape's own recorder (`use_cassette`
 * with its `requests` adapter, not by hand) replays in Jest: the same requests
 * made with global fetch, axios and node:http get the recorded statuses and
 * bodies, every recording is used, and the server sees no connection.
 * docs/python-interop.md lists how such a cassette differs from ours.
 *
 * The Python AgentTape is not part of this repository: the suite skips, saying
 * why, when python3, its `requests` package or `/tmp/pyat/src` is absent.
 */
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { createFixture, type FixtureProject } from '../support/packed-project';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { runJson } from '../support/jest-json';

const PYTHON_AGENTTAPE = '/tmp/pyat';

/** Why the suite cannot run here, or undefined when it can. */
function missing(): string | undefined {
  if (!fs.existsSync(path.join(PYTHON_AGENTTAPE, 'src', 'agenttape'))) return `${PYTHON_AGENTTAPE}/src is absent`;
  const python = spawnSync('python3', ['-c', 'import requests'], { encoding: 'utf8' });
  if (python.error) return 'python3 is absent';
  if (python.status !== 0) return "python3 has no 'requests' package";
  return undefined;
}

const skipped = missing();
const describeWithPython = skipped ? describe.skip : describe;

const TEST_NAME = 'python recorded weather agent';
const MISS_NAME = 'a request the Python cassette lacks fails and is not sent';
const CASSETTE = `cassettes/agent.test.js/${TEST_NAME}.yaml`;
const MISS_CASSETTE = `cassettes/agent.test.js/${MISS_NAME}.yaml`;

/**
 * Records with the Python AgentTape exactly as a Python user would: its
 * `use_cassette` session installs its adapters, and `requests` goes through
 * the RequestsAdapter. Argument 1 is the server's URL, argument 2 the cassette.
 */
const RECORD_SCRIPT = `
import sys
import agenttape
import requests

base, cassette = sys.argv[1], sys.argv[2]
with agenttape.use_cassette(cassette, mode="record"):
    weather = requests.get(base + "/echo/weather", params={"city": "London", "units": "metric"})
    note = requests.post(base + "/echo/notes", json={"title": "London", "body": "Take an umbrella.", "tags": ["rain", "uk"]})
    token = requests.post(base + "/echo/token", data={"grant_type": "client_credentials", "scope": ["read", "write"]})
    unusual = requests.get(base + "/status/217")
    lost = requests.post(base + "/missing", json={"id": 7})
    # Bodies the two recorders store under different fields (docs/python-interop.md).
    plain = requests.post(base + "/echo/plain", data='{"a": 1}', headers={"content-type": "text/plain"})
    ping = requests.put(base + "/echo/bin", data=b"ping", headers={"content-type": "application/octet-stream"})
    search = requests.post(base + "/echo/search", data={"q": ["hello world", "again"]})
    # Strings over 4 KB go to recorded.assets/ beside the cassette: the prompt, the echoed body, its raw_b64.
    long = requests.post(base + "/echo/long", json={"prompt": "p" * 5000})
    print(*(r.status_code for r in (weather, note, token, unusual, lost, plain, ping, search, long)))
`;

/** The same requests from JavaScript, through three clients, in the order Python made them. */
const AGENT_TEST = `
const http = require('node:http');
const axios = require('axios');
const { cassette } = require('agenttape');
const api = process.env.API_URL;

function post(path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(api + path, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, contentType: res.headers['content-type'], json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

test(${JSON.stringify(TEST_NAME)}, async () => {
  // Query parameters in another order than Python sent them: the canonical URL sorts them.
  const weather = await fetch(api + '/echo/weather?units=metric&city=London');
  expect(weather.status).toBe(200);
  const echoed = await weather.json();
  expect(echoed).toMatchObject({ method: 'GET', path: '/echo/weather?city=London&units=metric', body: '' });
  // The answer is the one the server gave Python's requests, not a new one.
  expect(echoed.headers['user-agent']).toMatch(/^python-requests\\//);

  // JSON keys in another order, serialized without Python's spaces: bodies are compared as data.
  const note = await axios.post(api + '/echo/notes', { tags: ['rain', 'uk'], body: 'Take an umbrella.', title: 'London' });
  expect(note.status).toBe(200);
  expect(note.headers['content-type']).toBe('application/json');
  expect(JSON.parse(note.data.body)).toEqual({ title: 'London', body: 'Take an umbrella.', tags: ['rain', 'uk'] });

  const token = await fetch(api + '/echo/token', { method: 'POST', body: new URLSearchParams([['grant_type', 'client_credentials'], ['scope', 'read'], ['scope', 'write']]) });
  expect((await token.json()).body).toBe('grant_type=client_credentials&scope=read&scope=write');

  const unusual = await fetch(api + '/status/217');
  expect(unusual.status).toBe(217);
  expect(await unusual.json()).toEqual({ unusual: true });

  const lost = await post('/missing', { id: 7 });
  expect(lost).toEqual({ status: 404, contentType: 'application/json', json: { error: 'no route POST /missing' } });

  // Stored here as json (it looks like JSON), by Python as text (its content type is not JSON).
  const plain = await fetch(api + '/echo/plain', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"a":1}' });
  expect((await plain.json()).body).toBe('{"a": 1}');
  // Stored here as body_b64 (a binary content type), by Python as text (the bytes are UTF-8).
  const ping = await axios.put(api + '/echo/bin', Buffer.from('ping'), { headers: { 'content-type': 'application/octet-stream' } });
  expect(ping.data.body).toBe('ping');
  // Stored here as text (URLSearchParams would write '+'), by Python as form.
  const search = await fetch(api + '/echo/search', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'q=hello%20world&q=again' });
  expect((await search.json()).body).toBe('q=hello+world&q=again');

  // The prompt, the answer and its wire copy are read back from the assets folder.
  const long = await fetch(api + '/echo/long', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'p'.repeat(5000) }) });
  expect((await long.json()).body).toBe(JSON.stringify({ prompt: 'p'.repeat(5000) }).replace(':', ': '));

  expect(cassette).toHaveReplayedAll();
  expect(cassette).toMatchRecording();
});

test(${JSON.stringify(MISS_NAME)}, async () => {
  await expect(fetch(api + '/echo/weather?city=Paris')).rejects.toThrow();
});
`;

interface PythonInteraction {
  index: number;
  kind: string;
  boundary: string;
  request: Record<string, unknown>;
  response: Record<string, unknown>;
}

describeWithPython(`a cassette recorded by the Python AgentTape's requests adapter replays in Jest${skipped ? ` (skipped: ${skipped})` : ''}`, () => {
  let api: FakeProvider;
  let fixture: FixtureProject;
  let work: string;
  let written: string;
  /** The payloads Python kept in recorded.assets/, by file name. */
  let assets: [string, Buffer][];

  beforeAll(async () => {
    api = await startFakeProvider();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-python-recorded-'));
    fs.writeFileSync(path.join(work, 'record.py'), RECORD_SCRIPT);
    const cassette = path.join(work, 'cassettes', 'recorded.yaml');
    // Asynchronous, so the server in this process keeps answering; run in the temporary
    // folder, where the Python AgentTape looks for agenttape.toml (there is none).
    const python = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile('python3', ['record.py', api.url, cassette], { cwd: work, env: { ...process.env, PYTHONPATH: path.join(PYTHON_AGENTTAPE, 'src') }, timeout: 60_000 }, (_error, stdout, stderr) =>
        resolve({ code: child.exitCode, stdout, stderr }),
      );
    });
    if (python.code !== 0) throw new Error(`The Python recording failed (exit ${python.code}):\n${python.stdout}\n${python.stderr}`);
    expect(python.stdout.trim()).toBe('200 200 200 217 404 200 200 200 200');
    written = fs.readFileSync(cassette, 'utf8');
    const folder = path.join(work, 'cassettes', 'recorded.assets');
    assets = fs.readdirSync(folder).map((name) => [name, fs.readFileSync(path.join(folder, name))]);
    fixture = createFixture('python-recorded');
    fixture.write('agent.test.js', AGENT_TEST);
    // The second test gets the same cassette, so its miss is reported against the Python recordings.
    for (const name of [TEST_NAME, MISS_NAME]) {
      fixture.write(`cassettes/agent.test.js/${name}.yaml`, written);
      fs.cpSync(folder, path.join(fixture.dir, 'cassettes', 'agent.test.js', `${name}.assets`), { recursive: true });
    }
  });
  afterAll(async () => {
    await api?.close();
    fixture?.remove();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test("the cassette is the Python recorder's own: scheme://host:port boundaries, its body fields, reason, raw_b64 and assets", () => {
    const doc = loadYaml(written) as { version: string; meta: Record<string, unknown>; interactions: PythonInteraction[] };
    expect(doc.version).toBe('1');
    expect(doc.meta).not.toHaveProperty('test_name');
    expect(doc.interactions.map((i) => [i.index, i.kind, i.boundary])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => [n, 'http', api.url]));
    const [weather, note, token, unusual, lost, plain, ping, search, long] = doc.interactions;
    expect(weather.request.url).toBe(`${api.url}/echo/weather?city=London&units=metric`);
    expect(note.request).toMatchObject({ method: 'POST', json: { title: 'London' }, headers: { 'Content-Type': 'application/json' } });
    expect(token.request.form).toEqual({ grant_type: 'client_credentials', scope: ['read', 'write'] });
    expect(unusual.response).toMatchObject({ status_code: 217, reason: expect.any(String) });
    expect(lost.response).toMatchObject({ status_code: 404, reason: 'Not Found', json: { error: 'no route POST /missing' } });
    // The server's compact JSON is not what Python's json.dumps writes, so the wire bytes are kept beside it.
    expect(typeof lost.response.raw_b64).toBe('string');
    expect([plain.request.text, ping.request.text, search.request.form]).toEqual(['{"a": 1}', 'ping', { q: ['hello world', 'again'] }]);
    expect(long.request.json).toEqual({ prompt: expect.objectContaining({ __agenttape_asset__: expect.stringMatching(/^sha256:/), size: 5000 }) });
    expect(long.response.raw_b64).toEqual(expect.objectContaining({ __agenttape_asset__: expect.stringMatching(/^sha256:/) }));
    expect(assets.length).toBeGreaterThanOrEqual(3);
  });

  test('replays in mode none through fetch, axios and node:http, with zero connections and the cassette untouched', async () => {
    const before = api.connections;
    const run = await runJson(fixture, [], { API_URL: api.url });
    expect(api.connections).toBe(before);
    expect(run.test(TEST_NAME)).toMatchObject({ status: 'passed', failureMessages: [] });
    const miss = run.test(MISS_NAME);
    expect(miss.status).toBe('failed');
    // The miss report finds the closest recording among those of the Python-written boundary.
    const report = miss.failureMessages.join('\n');
    expect(report).toContain(`Boundary: http ${new URL(api.url).host}`);
    expect(report).toContain('Closest recording: interaction #0 (differs in 1 field(s))');
    expect(report).toContain(`url: expected '${api.url}/echo/weather?city=London&units=metric', received '${api.url}/echo/weather?city=Paris'`);
    expect(fixture.read(CASSETTE)).toBe(written);
    expect(fixture.read(MISS_CASSETTE)).toBe(written);
    const files = [MISS_NAME, TEST_NAME].flatMap((name) => [...assets.map(([file]) => `agent.test.js/${name}.assets/${file}`).sort(), `agent.test.js/${name}.yaml`]);
    expect(fixture.files('cassettes')).toEqual(files);
    for (const [file, bytes] of assets) expect(fs.readFileSync(path.join(fixture.dir, 'cassettes', 'agent.test.js', `${TEST_NAME}.assets`, file)).equals(bytes)).toBe(true);
  });
});
