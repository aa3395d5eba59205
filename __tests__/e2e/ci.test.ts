/**
 * "CI never records by accident" (docs/configuration.md), end to end: under `--ci` or `CI=true`
 * a recording mode from the docblock, `cassette.use` or the configuration is
 * refused with a message that says nothing was recorded, why, and the exact
 * command; only `AGENTTAPE_MODE` records.
 */
import { createFixture, type FixtureProject } from '../support/packed-project';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { spawn } from 'node:child_process';
import { runJson } from '../support/jest-json';

const DOCBLOCK_TEST = `/**
 * @agenttape-mode record
 */
test('docblock', async () => {
  const res = await fetch(process.env.PROVIDER_URL + '/echo/docblock');
  expect(res.status).toBe(200);
});
`;

const USE_TEST = `
const { cassette } = require('agenttape');
test('use', async () => {
  cassette.use({ mode: 'all' });
  const res = await fetch(process.env.PROVIDER_URL + '/echo/use');
  expect(res.status).toBe(200);
});
`;

const CONFIG_TEST = `
test('config', async () => {
  const res = await fetch(process.env.PROVIDER_URL + '/echo/config');
  expect(res.status).toBe(200);
});
`;

const REFUSALS = [
  { test: 'docblock', file: 'docblock.test.js', mode: 'record', where: 'the @agenttape-mode docblock' },
  { test: 'use', file: 'use.test.js', mode: 'all', where: 'a per-test option' },
  { test: 'config', file: 'config.test.js', mode: 'new_episodes', where: 'the configuration' },
];

describe('recording in CI', () => {
  let provider: FakeProvider;
  let fixture: FixtureProject;

  beforeAll(async () => {
    provider = await startFakeProvider();
    fixture = createFixture('ci', { testEnvironmentOptions: { agenttape: { mode: 'new_episodes' } } });
    fixture.write('docblock.test.js', DOCBLOCK_TEST);
    fixture.write('use.test.js', USE_TEST);
    fixture.write('config.test.js', CONFIG_TEST);
  });
  afterAll(async () => {
    await provider.close();
    fixture.remove();
  });

  const expectRefused = (run: Awaited<ReturnType<typeof runJson>>) => {
    for (const { test, file, mode, where } of REFUSALS) {
      const result = run.test(test);
      expect(result.status).toBe('failed');
      const message = result.failureMessages.join('\n');
      expect(message).toContain('RecordingRefusedInCiError');
      expect(message).toContain('AgentTape: new http request not recorded: Jest runs in CI (--ci or the CI variable), where only AGENTTAPE_MODE may record.');
      expect(message).toContain(`The mode "${mode}" set in ${where} was ignored, so the test ran in replay mode and the request was not sent. Nothing was written.`);
      expect(message).toContain(`To record, run: AGENTTAPE_MODE=record npx jest ${file} -t "^${test}$"`);
      expect(message).toContain(`${provider.url}/echo/${test}`);
    }
  };

  test('--ci refuses a recording mode from the docblock, cassette.use and the configuration, and writes nothing', async () => {
    const before = provider.requests.length;
    const run = await runJson(fixture, ['--ci'], { PROVIDER_URL: provider.url });
    expectRefused(run);
    expect(run.status).toBe(1);
    expect(provider.requests.length).toBe(before);
    expect(fixture.files('cassettes')).toEqual([]);
  });

  test('CI=true in the environment is CI too', async () => {
    const before = provider.requests.length;
    const run = await runJson(fixture, [], { CI: 'true', PROVIDER_URL: provider.url });
    expectRefused(run);
    expect(provider.requests.length).toBe(before);
    expect(fixture.files('cassettes')).toEqual([]);
  });

  test('AGENTTAPE_MODE=record records under --ci, over a docblock, per-test or configured mode: the printed command works', async () => {
    const before = provider.requests.length;
    const run = await runJson(fixture, ['--ci'], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url });
    expect(run.status).toBe(0);
    expect(
      provider.requests
        .slice(before)
        .map((r) => r.url)
        .sort(),
    ).toEqual(['/echo/config', '/echo/docblock', '/echo/use']);
    expect(fixture.files('cassettes')).toEqual(['config.test.js/config.yaml', 'docblock.test.js/docblock.yaml', 'use.test.js/use.yaml']);
    for (const file of fixture.files('cassettes')) expect(fixture.read(`cassettes/${file}`)).toContain('mode: record');
  });
});

describe('recording in CI: the configuration files and useCassette', () => {
  let provider: FakeProvider;
  beforeAll(async () => {
    provider = await startFakeProvider();
  });
  afterAll(() => provider.close());

  test.each([
    ['agenttape.config.json', 'agenttape.config.json', { mode: 'all' }, 'all'],
    ['the "agenttape" key of package.json', 'package.json', { name: 'ci-package', private: true, agenttape: { mode: 'once' } }, 'once'],
  ])('--ci refuses a recording mode from %s', async (_where, file, content, mode) => {
    const fixture = createFixture('ci-config-file');
    try {
      fixture.write(file, JSON.stringify(content));
      fixture.write('config.test.js', CONFIG_TEST);
      const before = provider.requests.length;
      const run = await runJson(fixture, ['--ci'], { PROVIDER_URL: provider.url });
      const message = run.test('config').failureMessages.join('\n');
      expect(message).toContain('RecordingRefusedInCiError');
      expect(message).toContain(`The mode "${mode}" set in the configuration was ignored, so the test ran in replay mode and the request was not sent. Nothing was written.`);
      expect(message).toContain('To record, run: AGENTTAPE_MODE=record npx jest config.test.js -t "^config$"');
      expect(provider.requests.length).toBe(before);
      expect(fixture.files('cassettes')).toEqual([]);
      // Without CI the same configuration records: the refusal came from CI, not from a broken setting.
      const local = await runJson(fixture, [], { PROVIDER_URL: provider.url });
      expect(local.test('config').status).toBe('passed');
      expect(fixture.files('cassettes')).toEqual(['config.test.js/config.yaml']);
    } finally {
      fixture.remove();
    }
  });

  test('useCassette in a script with CI set: a mode from its options or agenttape.config.json is refused; AGENTTAPE_MODE records', async () => {
    const fixture = createFixture('ci-script');
    try {
      fixture.write('agenttape.config.json', JSON.stringify({ mode: 'new_episodes' }));
      fixture.write(
        'script.js',
        `
const { useCassette } = require('agenttape');
const options = process.argv[2] === 'options' ? { mode: 'record' } : {};
useCassette('script/' + process.argv[2], options, () => fetch(process.env.PROVIDER_URL + '/echo/script').then((r) => r.status))
  .then((status) => console.log('status ' + status))
  .catch((error) => console.log(error.name + ': ' + error.message));
`,
      );
      const script = (which: string, env: Record<string, string>) =>
        new Promise<string>((resolve, reject) => {
          let out = '';
          const child = spawn(process.execPath, ['script.js', which], { cwd: fixture.dir, env: { ...process.env, AGENTTAPE_MODE: '', PROVIDER_URL: provider.url, ...env } });
          child.stdout.on('data', (c: Buffer) => (out += c.toString()));
          child.on('error', reject);
          child.on('close', () => resolve(out));
        });
      const before = provider.requests.length;
      const refused = await script('options', { CI: 'true' });
      expect(refused).toMatch(/^RecordingRefusedInCiError: AgentTape: new http request not recorded: the script runs in CI \(the CI variable\), where only AGENTTAPE_MODE may record\./);
      // In CI the options cannot record, so the advice is the environment variable, not the options.
      expect(refused).toContain('To record, run: AGENTTAPE_MODE=record node script.js');
      expect(await script('config', { CI: 'true' })).toMatch(/^RecordingRefusedInCiError: /);
      expect(provider.requests.length).toBe(before);
      expect(fixture.files('cassettes')).toEqual([]);
      expect(await script('config', { CI: 'true', AGENTTAPE_MODE: 'record' })).toBe('status 200\n');
      expect(fixture.files('cassettes')).toEqual(['script/config.yaml']);
    } finally {
      fixture.remove();
    }
  });
});
