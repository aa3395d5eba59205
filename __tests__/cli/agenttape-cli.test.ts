/**
 * The `agenttape` command line, run as a user runs it: the built binary in a
 * child process, on cassettes in a temporary project.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCassetteFile } from '../../src/cassette/cassette-file';
import { diffFields } from '../../src/engine/closest-recording';
import { runAgentTape, runPackedAgentTape, type CliRun } from '../support/cli';
import { cassetteText, llmInteraction, toolInteraction, weatherInteraction } from '../support/sample-cassettes';

const COMMANDS = ['inspect', 'timeline', 'diff', 'validate', 'redact', 'view', 'prune', 'import-nock', 'export'];
const NOCK_BACK_FIXTURE = path.join(__dirname, '..', 'fixtures', 'nock', 'weather.nock-back.json');
// It holds a fake Anthropic key on purpose (the import must redact it), so it lives with the secret fixtures.
const NOCK_RECORDER_OUTPUT = path.join(__dirname, '..', 'fixtures', 'secrets', 'anthropic.recorder.json');
const { SECRETS } = require('../fixtures/secrets/corpus.js') as { SECRETS: Record<string, string> };

let project: string;
const file = (relative: string) => path.join(project, relative);
const write = (relative: string, text: string) => {
  fs.mkdirSync(path.dirname(file(relative)), { recursive: true });
  fs.writeFileSync(file(relative), text);
};
const read = (relative: string) => fs.readFileSync(file(relative), 'utf8');
const cli = (...args: string[]): CliRun => runAgentTape(args, project);
const ANSWERS = 'cassettes/agent.test.js/agent answers.yaml';

function expectOneLineError(run: CliRun, status: number, pattern: RegExp): void {
  expect(run.status).toBe(status);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(/^agenttape: /);
  expect(run.stderr).toMatch(pattern);
}

beforeEach(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-cli-'));
  write('package.json', JSON.stringify({ name: 'cli-project', private: true }));
  write(ANSWERS, cassetteText('agent answers', [llmInteraction(0), toolInteraction(1), weatherInteraction(2)]));
});
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

describe('help and usage errors', () => {
  test('--help lists every command and exits 0; no command is a usage error (2)', () => {
    const help = cli('--help');
    expect(help.status).toBe(0);
    for (const name of COMMANDS) expect(help.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect(cli().status).toBe(2);
  });

  test.each(COMMANDS)('%s --help prints its usage and exits 0', (name) => {
    const run = cli(name, '--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`Usage: agenttape ${name}`);
    expect(run.stdout).toContain('--help');
  });

  test('an unknown command or option is one line on stderr and exit 2', () => {
    expectOneLineError(cli('inspekt'), 2, /unknown command "inspekt". Commands: inspect, .*Run agenttape --help/);
    expectOneLineError(cli('inspect', '--colour', ANSWERS), 2, /^agenttape: inspect: Unknown option '--colour'.*Run agenttape inspect --help/);
  });

  test('a cassette that does not exist is one line naming it, exit 2', () => {
    expectOneLineError(cli('inspect', 'no such test'), 2, /no cassette matches "no such test": .* Pass a cassette file path/);
  });

  test('a corrupt cassette is one line naming the file and line, exit 1', () => {
    write('cassettes/agent.test.js/broken.yaml', 'version: "1"\ninteractions:\n  - index: 0\n   kind: http\n');
    expectOneLineError(cli('inspect', 'cassettes/agent.test.js/broken.yaml'), 1, /broken\.yaml is not valid YAML \(line 4, column \d+\).*restore it from version control/);
  });

  test('a bad configuration key is a usage error naming the key', () => {
    write('agenttape.config.json', JSON.stringify({ cassetteDirectory: 'x' }));
    expectOneLineError(cli('validate'), 2, /Unknown option "cassetteDirectory" in .*agenttape.config.json/);
  });
});

describe('inspect', () => {
  test('lists interactions with latency, tokens and an estimated cost, found by test name', () => {
    const run = cli('inspect', 'agent answers');
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`${ANSWERS}  (agent answers)`);
    expect(lines[2]).toMatch(/^0 +llm +llm +800 ms +9\/12 +\$0\.000009 +POST https:\/\/api\.openai\.com\/v1\/chat\/completions -> 200$/);
    expect(lines[3]).toMatch(/^1 +tool +get_weather +50 ms +- +- +get_weather\(city\)$/);
    expect(lines[4]).toMatch(/^2 +http +api\.weather\.test +200 ms +- +- +GET https:\/\/api\.weather\.test\/v1\/london -> 200$/);
    expect(run.stdout).toContain('3 interactions (1 LLM), 1050 ms recorded latency, 9 input + 12 output tokens, estimated cost $0.000009');
  });

  test('uses a price table passed with --prices', () => {
    write('prices.json', JSON.stringify({ 'gpt-4o-mini': { input: 1000, output: 2000 } }));
    const run = cli('inspect', ANSWERS, '--prices', 'prices.json');
    expect(run.status).toBe(0);
    // 9 * 1000 / 1e6 + 12 * 2000 / 1e6 = 0.033
    expect(run.stdout).toContain('estimated cost $0.0330');
    expectOneLineError(cli('inspect', ANSWERS, '--prices', 'missing.json'), 2, /cannot read the price table .*missing\.json/);
  });

  test('uses the "prices" configuration key, which --prices overrides', () => {
    write('agenttape.config.json', JSON.stringify({ prices: { 'gpt-4o-mini': { input: 100, output: 100 } } }));
    // (9 + 12) * 100 / 1e6 = 0.0021
    expect(cli('inspect', ANSWERS).stdout).toContain('estimated cost $0.0021');
    write('prices.json', JSON.stringify({ 'gpt-4o-mini': { input: 1000, output: 2000 } }));
    expect(cli('inspect', ANSWERS, '--prices', 'prices.json').stdout).toContain('estimated cost $0.0330');
    write('agenttape.config.json', JSON.stringify({ prices: { 'gpt-4o-mini': { input: 'cheap' } } }));
    expectOneLineError(cli('inspect', ANSWERS), 2, /Invalid price for "gpt-4o-mini" in "prices" in .*agenttape\.config\.json/);
  });

  test('--json gives the same facts to scripts', () => {
    const run = cli('inspect', ANSWERS, '--json');
    const [{ inspection }] = JSON.parse(run.stdout);
    expect(inspection.totals).toMatchObject({ interactions: 3, llmCalls: 1, inputTokens: 9, outputTokens: 12 });
  });
});

describe('timeline', () => {
  test('draws one bar per interaction, proportional to latency', () => {
    const run = cli('timeline', ANSWERS, '--width', '21');
    expect(run.status).toBe(0);
    const bars = run.stdout
      .split('\n')
      .filter((line) => line.includes('|'))
      .map((line) => line.split('|')[1]);
    expect(bars.map((bar) => bar.split('').filter((c) => c === '#').length)).toEqual([16, 1, 4]);
    expect(bars[1].indexOf('#')).toBe(16);
    expect(run.stdout).toContain('3 interactions, 1050 ms in total');
    expectOneLineError(cli('timeline', ANSWERS, '--width', 'wide'), 2, /--width must be a positive number/);
  });
});

describe('diff', () => {
  test('reports changed fields, added and removed interactions against the .derived.yaml, exit 1', () => {
    write(
      'cassettes/agent.test.js/agent answers.derived.yaml',
      cassetteText('agent answers', [llmInteraction(0), weatherInteraction(1, 16), { ...toolInteraction(2), boundary: 'get_forecast', match_key: 'sha256:4444', request: { name: 'get_forecast', args: {} } }]),
    );
    const run = cli('diff', ANSWERS);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`--- ${ANSWERS}\n+++ cassettes/agent.test.js/agent answers.derived.yaml`);
    expect(run.stdout).toContain('~ #1 http:api.weather.test');
    expect(run.stdout).toContain('    response.json.temp: expected 15, received 16');
    expect(run.stdout).toContain('+ #2 tool:get_forecast  get_forecast()');
    expect(run.stdout).toContain('- #1 tool:get_weather  get_weather(city)');
    expect(run.stdout).toContain('1 changed, 1 added, 1 removed, 1 unchanged');
  });

  test('identical interactions exit 0', () => {
    write('copy.yaml', read(ANSWERS).replace('bee71bc9', 'aaaaaaaa'));
    const run = cli('diff', ANSWERS, 'copy.yaml');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('0 changed, 0 added, 0 removed, 3 unchanged (identical interactions)');
  });

  test('without a derived cassette it says what to pass, exit 2', () => {
    expectOneLineError(cli('diff', ANSWERS), 2, /has no derived cassette \(agent answers\.derived\.yaml does not exist\)\. Pass the second cassette/);
  });
});

describe('validate', () => {
  test('passes clean cassettes (every cassette under cassetteDir by default)', () => {
    const run = cli('validate');
    expect(run.stdout).toContain(`ok ${ANSWERS}`);
    expect(run.stdout).toContain('1 cassettes checked: 0 errors, 0 warnings');
    expect(run.status).toBe(0);
  });

  test('fails on leaked secrets, naming the field and never printing the secret whole', () => {
    const leaky = weatherInteraction(0, 15, { note: 'call me at ops@example.com' });
    (leaky.request.headers as Record<string, string>).authorization = `Bearer ${SECRETS.openaiProject}`;
    leaky.request.url = 'https://api.weather.test/v1/london?api_key=abcdef123456';
    write('cassettes/agent.test.js/leaky.yaml', cassetteText('leaky', [leaky]));
    const run = cli('validate', 'cassettes/agent.test.js/leaky.yaml');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('error: interactions[0].request.headers.authorization: secret field "authorization" holds a value');
    expect(run.stdout).toContain('error: interactions[0].request.url: matches the secret query parameter pattern');
    expect(run.stdout).toContain('error: interactions[0].response.json.note: matches the e-mail address pattern');
    expect(run.stdout).not.toContain(SECRETS.openaiProject);
  });

  test('scans binary bodies as their bytes: a key inside base64 is a leak', () => {
    const binary = weatherInteraction(0);
    binary.response = { status_code: 200, headers: { 'content-type': 'application/octet-stream' }, body_b64: Buffer.from(`\u0000\u00ffPK key ${SECRETS.openaiProject} end`, 'latin1').toString('base64') };
    write('cassettes/agent.test.js/binary.yaml', cassetteText('binary', [binary]));
    const run = cli('validate', 'cassettes/agent.test.js/binary.yaml');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('error: interactions[0].response.body_b64: matches the OpenAI key pattern');
    expect(run.stdout).not.toContain(SECRETS.openaiProject);
    // redact re-applies the rules to the bytes; validate then passes.
    expect(cli('redact', 'cassettes/agent.test.js/binary.yaml').status).toBe(0);
    expect(cli('validate', 'cassettes/agent.test.js/binary.yaml').status).toBe(0);
  });

  test("a corrupt cassette fails validation with the parser's own message", () => {
    write('cassettes/agent.test.js/bad.yaml', 'version: "1"\ninteractions:\n  - kind: telepathy\n    request: {}\n    response: null\n');
    const run = cli('validate');
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/error: \(file\): Cassette .*bad\.yaml is corrupt: field "interactions\[0\]\.kind" \(line 3\) must be one of llm, tool, .* \[ERR_AGENTTAPE_CASSETTE_CORRUPT\]/);
    expect(run.stdout).toContain(`ok ${ANSWERS}`);
  });

  test('determinism risks warn, and fail only with --strict', () => {
    const risky = llmInteraction(0);
    (risky.request.json as Record<string, unknown>).metadata = { sent_at: '2026-06-17T12:00:00Z', session: '550e8400-e29b-41d4-a716-446655440000' };
    write(ANSWERS, cassetteText('agent answers', [risky]));
    const run = cli('validate');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('warning: interactions[0].request.json.metadata.sent_at: request holds a timestamp');
    expect(run.stdout).toContain('warning: interactions[0].request.json.metadata.session: request holds a random id');
    expect(run.stdout).not.toContain('warning: interactions[0].request.url');
    expect(cli('validate', '--strict').status).toBe(1);
    const inQuery = weatherInteraction(0);
    inQuery.request.url = 'https://api.weather.test/v1/london?since=2026-06-17T12:00:00Z&timestamp=2026-06-17T12:00:00Z';
    write(ANSWERS, cassetteText('agent answers', [inQuery]));
    const query = cli('validate');
    expect(query.stdout).toContain('warning: interactions[0].request.url?since: request holds a timestamp (2026-06-17T12:00:00Z)');
    expect(query.stdout).not.toContain('url?timestamp');
  });
});

describe('redact', () => {
  test('rewrites only the secrets, recomputes the match key of a changed request, and keeps everything else', () => {
    write('agenttape.config.json', JSON.stringify({ redact: { names: ['x-internal-ticket'] } }));
    const leaky = weatherInteraction(1, 15, { owner: 'ops@example.com' });
    (leaky.request.headers as Record<string, string>)['x-internal-ticket'] = 'T-123';
    write(ANSWERS, cassetteText('agent answers', [llmInteraction(0), leaky, toolInteraction(2)]));
    const before = parseCassetteFile(read(ANSWERS), ANSWERS);
    const run = cli('redact');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`redacted 2 values in ${ANSWERS}`);
    const after = parseCassetteFile(read(ANSWERS), ANSWERS);
    const changed = diffFields(before as never, after as never).map((d) => d.path);
    expect(changed).toEqual(['interactions[1].match_key', 'interactions[1].request.headers.x-internal-ticket', 'interactions[1].response.json.owner']);
    expect(after.interactions[1].match_key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(cli('validate').status).toBe(0);
    expect(fs.readdirSync(path.dirname(file(ANSWERS)))).toEqual(['agent answers.yaml']);
    const bytes = read(ANSWERS);
    const again = cli('redact');
    expect(again.stdout).toContain(`clean ${ANSWERS}`);
    expect(read(ANSWERS)).toBe(bytes);
  });

  test('--dry-run lists what would change and writes nothing', () => {
    write(ANSWERS, cassetteText('agent answers', [weatherInteraction(0, 15, { owner: 'ops@example.com' })]));
    const bytes = read(ANSWERS);
    const run = cli('redact', ANSWERS, '--dry-run');
    expect(run.stdout).toContain('would redact 1 values');
    expect(run.stdout).toContain('  interactions[0].response.json.owner');
    expect(read(ANSWERS)).toBe(bytes);
  });
});

describe('view', () => {
  test('writes one self-contained page with everything escaped, side by side for two cassettes', () => {
    write('cassettes/agent.test.js/agent answers.derived.yaml', cassetteText('agent answers', [weatherInteraction(0, 16)]));
    const run = cli('view', ANSWERS, 'cassettes/agent.test.js/agent answers.derived.yaml', '--out', 'out/page.html');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('wrote out/page.html\n');
    const page = read('out/page.html');
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(page).not.toMatch(/<script|src=|href=/i);
    expect(page).toContain('What is the weather in London? &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('It is rainy &amp; 15°C.');
    expect(page.match(/<div class="column">/g)).toHaveLength(2);
    expect(page).toContain('<div class="who">call get_weather</div>');
  });

  test('shows an agent loop as a conversation: tool calls, tool results, and no repeated history', () => {
    const first = llmInteraction(0);
    const firstBody = first.request.json as { messages: unknown[] };
    const toolCall = { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"London"}' } }] };
    (first.response as { json: { choices: unknown[] } }).json.choices = [{ index: 0, message: toolCall }];
    const second = llmInteraction(1);
    (second.request.json as { messages: unknown[] }).messages = [...firstBody.messages, toolCall, { role: 'tool', tool_call_id: 'call_1', content: '{"temp":15}' }];
    write('loop.yaml', cassetteText('loop', [first, second]));
    expect(cli('view', 'loop.yaml', '--out', 'loop.html').status).toBe(0);
    const page = read('loop.html');
    expect(page.match(/What is the weather in London\?/g)).toHaveLength(1);
    expect(page).toContain('→ get_weather({&quot;city&quot;:&quot;London&quot;})');
    expect(page).toContain('<p class="earlier">1 earlier message shown above</p>');
    expect(page).toContain('<div class="who">tool</div><pre>{&quot;temp&quot;:15}</pre>');
  });
});

describe('prune', () => {
  test('lists cassettes of deleted test files (dry run), then --yes deletes only those', () => {
    write('agent.test.js', 'test("answers", () => {});\n');
    write('cassettes/gone.test.js/old test.yaml', cassetteText('old test', [weatherInteraction(0)]));
    const dry = cli('prune');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('1 obsolete cassettes (dry run, nothing deleted; add --yes to delete them):\n  cassettes/gone.test.js/old test.yaml');
    expect(dry.stdout).toContain(`kept 1 cassettes whose test files have no usage record yet (run npx jest to check them):\n  ${ANSWERS}`);
    expect(fs.existsSync(file('cassettes/gone.test.js/old test.yaml'))).toBe(true);
    const bytes = read(ANSWERS);
    const wet = cli('prune', '--yes');
    expect(wet.stdout).toContain('deleted 1 obsolete cassettes:\n  cassettes/gone.test.js/old test.yaml');
    expect(fs.existsSync(file('cassettes/gone.test.js'))).toBe(false);
    expect(read(ANSWERS)).toBe(bytes);
  });
});

describe('import-nock and export', () => {
  test('imports a nock.back fixture: decoded bodies, http kind for an unlisted host, valid for validate', () => {
    const run = cli('import-nock', NOCK_BACK_FIXTURE, '--out', 'cassettes/weather.test.js/weather.yaml');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('imported 3 nock definitions into cassettes/weather.test.js/weather.yaml\n');
    const doc = parseCassetteFile(read('cassettes/weather.test.js/weather.yaml'), 'weather.yaml');
    expect(doc.interactions.map((i) => `${String(i.request.method)} ${String(i.request.url)} ${(i.response as { status_code: number }).status_code}`)).toEqual([
      'GET http://127.0.0.1:36037/weather?city=London 200',
      'POST http://127.0.0.1:36037/v1/chat/completions 200',
      'POST http://127.0.0.1:36037/notes 201',
    ]);
    expect((doc.interactions[0].response as { json: unknown }).json).toEqual({ city: 'London', temp: 15, condition: 'rainy' });
    // Usage is copied for kind llm only (as when recording); this host is not in llmHosts.
    expect(doc.interactions[1].kind).toBe('http');
    expect(doc.interactions[1].usage).toBeNull();
    expect(doc.interactions[2].request.text).toBe('remember the umbrella');
    expect(cli('validate').status).toBe(0);
    expectOneLineError(cli('import-nock', NOCK_BACK_FIXTURE, '--out', 'cassettes/weather.test.js/weather.yaml'), 2, /already exists\. Pass --force/);
  });

  test('imports recorder output with request headers redacted, and treats known LLM hosts as llm', () => {
    write('agenttape.config.json', JSON.stringify({ llmHosts: ['127.0.0.1:43863'] }));
    expect(cli('import-nock', NOCK_RECORDER_OUTPUT, '--out', 'anthropic.json').status).toBe(0);
    const text = read('anthropic.json');
    expect(text).not.toContain('sk-ant-');
    const doc = JSON.parse(text);
    expect(doc.interactions[0]).toMatchObject({ kind: 'llm', boundary: 'llm', usage: { input_tokens: 10, output_tokens: 3 } });
    expect(Object.keys(doc.interactions[0].request.headers)).toEqual(['content-type']);
  });

  test('rejects a file that is not nock definitions, exit 1', () => {
    write('not-nock.json', JSON.stringify([{ url: 'http://x' }]));
    expectOneLineError(cli('import-nock', 'not-nock.json', '--out', 'x.yaml'), 1, /not-nock\.json: definition 0 has no "scope" URL/);
  });

  test('exports HTTP interactions as nock definitions that import back to the same exchanges', () => {
    const run = cli('export', ANSWERS, '--to', 'nock');
    expect(run.status).toBe(0);
    const definitions = JSON.parse(run.stdout);
    expect(definitions).toHaveLength(2);
    expect(definitions[1]).toEqual({
      scope: 'https://api.weather.test',
      method: 'GET',
      path: '/v1/london',
      status: 200,
      reqheaders: { accept: 'application/json' },
      response: { city: 'London', temp: 15 },
      rawHeaders: ['content-type', 'application/json'],
    });
    write('defs.json', run.stdout);
    expect(cli('import-nock', 'defs.json', '--out', 'back.yaml').status).toBe(0);
    const original = parseCassetteFile(read(ANSWERS), 'a.yaml').interactions.filter((i) => i.kind !== 'tool');
    const back = parseCassetteFile(read('back.yaml'), 'b.yaml').interactions;
    expect(back.map((i) => [i.kind, i.request, i.response])).toEqual(original.map((i) => [i.kind, i.request, i.response]));
  });

  test('exports the JSON form of the format, which every command reads like YAML', () => {
    const run = cli('export', ANSWERS, '--to', 'json', '--out', 'answers.json');
    expect(run.stderr).toBe('wrote answers.json\n');
    const json = parseCassetteFile(read('answers.json'), 'answers.json');
    expect(json).toEqual(parseCassetteFile(read(ANSWERS), ANSWERS));
    expect(cli('diff', ANSWERS, 'answers.json').status).toBe(0);
    expectOneLineError(cli('export', ANSWERS, '--to', 'har'), 2, /--to must be one of nock, json \(got "har"\)/);
  });
});

describe('the installed binary', () => {
  test('node_modules/.bin/agenttape of the packed install runs validate and inspect', () => {
    const validate = runPackedAgentTape(['validate'], project);
    expect(validate.stderr).toBe('');
    expect(validate.stdout).toContain(`ok ${ANSWERS}`);
    expect(validate.status).toBe(0);
    const inspect = runPackedAgentTape(['inspect', 'agent answers'], project);
    expect(inspect.stdout).toContain('3 interactions (1 LLM)');
    expect(inspect.status).toBe(0);
  });
});
