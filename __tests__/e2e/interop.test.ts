/**
 * Other formats, end to end: cassettes written by the Python AgentTape replay
 * their http interactions here; a nock.back fixture converted by
 * `agenttape import-nock` replays; `format: 'json'` cassettes record and
 * replay like YAML ones; and what we write passes the Python validator.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createFixture, type FixtureProject } from '../support/packed-project';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { runPackedAgentTape } from '../support/cli';
const { OPENAI_RECORDING_KEY } = require('../fixtures/secrets/fake-keys.js') as Record<string, string>;

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const PYTHON_AGENTTAPE = '/tmp/pyat';
const hasPythonAgentTape = fs.existsSync(path.join(PYTHON_AGENTTAPE, 'src', 'agenttape'));

function pythonValidate(file: string): { status: number | null; output: string } {
  const result = spawnSync('python3', ['-m', 'agenttape', 'validate', file], {
    cwd: PYTHON_AGENTTAPE,
    env: { ...process.env, PYTHONPATH: 'src' },
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const PYTHON_REPLAY_TEST = `
const axios = require('axios');

test('weather agent', async () => {
  // Query in a different order than recorded: the canonical URL sorts it.
  const weather = await fetch('https://api.example.com/v1/weather?city=London&units=metric', { headers: { accept: 'application/json' } });
  expect(weather.status).toBe(200);
  expect(await weather.json()).toEqual({ city: 'London', temp: 15, condition: 'rainy' });
  const note = await axios.post('https://api.example.com/v1/notes', { body: 'Take an umbrella.', title: 'London' });
  expect(note.status).toBe(201);
  expect(note.headers.location).toBe('/v1/notes/7');
  expect(note.data).toEqual({ id: 7 });
});

test('forms and failures', async () => {
  const token = await fetch('https://auth.example.com/oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&scope=read&scope=write&client_secret=s3cr3t-value',
  });
  expect(await token.json()).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
  const health = await fetch('https://status.example.com/health');
  expect(health.status).toBe(503);
  expect(health.headers.get('retry-after')).toBe('30');
  expect(await health.text()).toBe('down for maintenance');
  const pixel = Buffer.from(await (await fetch('https://cdn.example.com/pixel.png')).arrayBuffer());
  expect(pixel.toString('hex')).toBe('89504e470d0a1a0a');
  await expect(fetch('https://flaky.example.com/v1/data')).rejects.toThrow();
});
`;

const NOCK_REPLAY_TEST = `
const OpenAI = require('openai').default;
const { cassette } = require('agenttape');
const base = 'http://127.0.0.1:36037';

test('nock weather', async () => {
  const weather = await fetch(base + '/weather?city=London');
  expect(await weather.json()).toEqual({ city: 'London', temp: 15, condition: 'rainy' });
  const openai = new OpenAI({ baseURL: base + '/v1' });
  const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is the weather in London?' }] });
  expect(completion.choices[0].message.content).toBe('It is rainy in London.');
  const note = await fetch(base + '/notes', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'remember the umbrella' });
  expect(note.status).toBe(201);
  expect(await note.text()).toBe('created remember the umbrella');
  expect(cassette).toHaveReplayedAll();
});
`;

describe('cassettes of the Python AgentTape and of nock', () => {
  let fixture: FixtureProject;
  beforeAll(() => {
    fixture = createFixture('interop');
  });
  afterAll(() => fixture.remove());

  test('the http interactions of Python AgentTape cassettes replay in Jest', async () => {
    fixture.write('python.test.js', PYTHON_REPLAY_TEST);
    fixture.write('cassettes/python.test.js/weather agent.yaml', fs.readFileSync(path.join(FIXTURES, 'python-agenttape', 'weather-agent.yaml'), 'utf8'));
    fixture.write('cassettes/python.test.js/forms and failures.yaml', fs.readFileSync(path.join(FIXTURES, 'python-agenttape', 'forms-and-failures.yaml'), 'utf8'));
    const before = fixture.read('cassettes/python.test.js/weather agent.yaml');
    const run = await fixture.run(['python.test.js']);
    expect(run.output).toContain('Tests:       2 passed, 2 total');
    expect(run.stderr).toContain(' › 6 interactions replayed, 0 recorded, in 1 test suite.');
    expect(run.status).toBe(0);
    expect(fixture.read('cassettes/python.test.js/weather agent.yaml')).toBe(before);
  });

  test('a nock.back fixture converted by agenttape import-nock replays', async () => {
    const imported = runPackedAgentTape(['import-nock', path.join(FIXTURES, 'nock', 'weather.nock-back.json'), '--out', 'cassettes/nock.test.js/nock weather.yaml'], fixture.dir);
    expect(imported.stderr).toBe('');
    expect(imported.status).toBe(0);
    fixture.write('nock.test.js', NOCK_REPLAY_TEST);
    const run = await fixture.run(['nock.test.js']);
    expect(run.output).toContain('Tests:       1 passed, 1 total');
    expect(run.status).toBe(0);
    if (hasPythonAgentTape) {
      const python = pythonValidate(path.join(fixture.dir, 'cassettes/nock.test.js/nock weather.yaml'));
      expect(python.output).toContain('valid — no issues found');
    }
  });
});

describe("format: 'json'", () => {
  let provider: FakeProvider;
  let fixture: FixtureProject;
  beforeAll(async () => {
    provider = await startFakeProvider();
    fixture = createFixture('json-format');
    fixture.write('agenttape.config.json', JSON.stringify({ format: 'json' }));
    fixture.write(
      'agent.test.js',
      `
const OpenAI = require('openai').default;
const { cassette } = require('agenttape');
test('answers', async () => {
  const openai = new OpenAI({ baseURL: process.env.PROVIDER_URL + '/v1' });
  const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather?' }] });
  expect(completion.choices[0].message.content).toMatch(/rainy/);
  const echo = await fetch(process.env.PROVIDER_URL + '/echo/x', { method: 'POST', body: 'hello' });
  expect(echo.status).toBe(200);
  expect((await echo.json()).body).toBe('hello');
  expect(cassette).toHaveReplayedAll();
});
`,
    );
  });
  afterAll(async () => {
    await provider.close();
    fixture.remove();
  });

  test('records .json cassettes, replays them offline, and the Python AgentTape validates them', async () => {
    const recorded = await fixture.run([], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url, OPENAI_API_KEY: OPENAI_RECORDING_KEY });
    expect(recorded.status).toBe(0);
    expect(fixture.files('cassettes')).toEqual(['agent.test.js/answers.json']);
    const doc = JSON.parse(fixture.read('cassettes/agent.test.js/answers.json'));
    expect(Object.keys(doc)).toEqual(['version', 'created_at', 'run_id', 'meta', 'interactions']);
    expect(doc.interactions).toHaveLength(2);
    expect(fixture.read('cassettes/agent.test.js/answers.json')).not.toContain('sk-proj-');

    const port = provider.port;
    await provider.close();
    provider = await startFakeProvider(port);
    const replayed = await fixture.run([], { PROVIDER_URL: `http://127.0.0.1:${port}` });
    expect(replayed.output).toContain('Tests:       1 passed, 1 total');
    expect(replayed.status).toBe(0);
    expect(provider.connections).toBe(0);

    expect(runPackedAgentTape(['validate'], fixture.dir).status).toBe(0);

    // A project that switches format keeps replaying the cassettes it has.
    fixture.write('agenttape.config.json', JSON.stringify({ format: 'yaml' }));
    const switched = await fixture.run([], { PROVIDER_URL: `http://127.0.0.1:${port}` });
    expect(switched.output).toContain('Tests:       1 passed, 1 total');
    expect(provider.connections).toBe(0);
    expect(fixture.files('cassettes')).toEqual(['agent.test.js/answers.json']);
    if (!hasPythonAgentTape) {
      console.warn(`Skipping the Python AgentTape check: ${PYTHON_AGENTTAPE}/src/agenttape is absent.`);
      return;
    }
    const python = pythonValidate(path.join(fixture.dir, 'cassettes/agent.test.js/answers.json'));
    expect(python.output).toContain('valid — no issues found');
    expect(python.status).toBe(0);
  });
});

const pythonTest = hasPythonAgentTape ? test : test.skip;
pythonTest('the hand-written Python-format fixtures pass the Python validator', () => {
  for (const name of ['weather-agent.yaml', 'forms-and-failures.yaml']) {
    const result = pythonValidate(path.join(FIXTURES, 'python-agenttape', name));
    expect(result.output).toContain('valid — no issues found');
    expect(result.status).toBe(0);
  }
});
