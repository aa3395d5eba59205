/**
 * TypeScript end to end: a TypeScript test, transformed by the preset's ts-jest
 * with diagnostics on, imports `agenttape`, type-checks
 * `expect(cassette).toHaveReplayedAll()`, records and replays.
 */
import { stripVTControlCharacters } from 'node:util';
import { createFixture, type FixtureProject } from '../support/packed-project';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { runJson } from '../support/jest-json';
const { OPENAI_RECORDING_KEY } = require('../fixtures/secrets/fake-keys.js') as Record<string, string>;

const TSCONFIG = JSON.stringify({ compilerOptions: { module: 'commonjs', target: 'es2022', esModuleInterop: true, strict: true, types: ['jest'] } }, null, 2);

const AGENT_TEST = `import OpenAI from 'openai';
import { cassette, UnmatchedInteractionError, type Mode } from 'agenttape';

// No @types/node in "types": agenttape's declarations must not need it either.
const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env;
const client = new OpenAI({ baseURL: \`\${env.PROVIDER_URL}/v1\` });

async function runAgent(question: string): Promise<string> {
  const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] });
  return completion.choices[0].message.content ?? '';
}

describe('typed agent', () => {
  test('answers with the weather', async () => {
    const answer = await runAgent('What is the weather in London?');
    expect(answer).toMatch(/rainy/);
    expect(cassette).toHaveReplayedAll();
    const mode: Mode | undefined = cassette.mode;
    expect(mode).toBe(env.AGENTTAPE_MODE ?? 'none');
    const isOurs: boolean = new Error('x') instanceof UnmatchedInteractionError;
    expect(isOurs).toBe(false);
  });
});
`;

// Proves the type-check is real: a misspelt matcher must fail to compile.
const TYPO_TEST = `import { cassette } from 'agenttape';

test('typo', () => {
  expect(cassette).toHaveReplayedAl();
});
`;

describe('a TypeScript test under the preset', () => {
  let provider: FakeProvider;
  let fixture: FixtureProject;

  beforeAll(async () => {
    provider = await startFakeProvider();
    fixture = createFixture('typescript');
    fixture.write('tsconfig.json', TSCONFIG);
    fixture.write('agent.test.ts', AGENT_TEST);
    fixture.write('typo.test.ts', TYPO_TEST);
  });
  afterAll(async () => {
    await provider.close();
    fixture.remove();
  });

  test('records, type-checks, and a misspelt matcher is a type error', async () => {
    const run = await runJson(fixture, ['--maxWorkers=1'], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url, OPENAI_API_KEY: OPENAI_RECORDING_KEY });
    expect(run.test('typed agent answers with the weather').status).toBe('passed');
    expect(fixture.files('cassettes')).toEqual(['agent.test.ts/typed agent answers with the weather.yaml']);
    expect(fixture.read('cassettes/agent.test.ts/typed agent answers with the weather.yaml')).toContain('content: What is the weather in London?');
    const typo = run.file('typo.test.ts');
    expect(typo.status).toBe('failed');
    expect(stripVTControlCharacters(typo.message)).toMatch(/TS2551: Property 'toHaveReplayedAl' does not exist on type 'JestMatchers<[^']*>'\. Did you mean 'toHaveReplayedAll'\?/);
  });

  test('replays without a key and without the network', async () => {
    const before = provider.requests.length;
    const run = await runJson(fixture, ['agent.test.ts'], { PROVIDER_URL: provider.url });
    expect(run.status).toBe(0);
    expect(run.test('typed agent answers with the weather').status).toBe('passed');
    expect(provider.requests.length).toBe(before);
  });
});
