/**
 * Modes (docs/configuration.md) end to end: what each mode does with the cassette file and the
 * network, run after run on one fixture, and which source of a mode wins.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseYaml as parse } from '../support/yaml-text';
import { createFixture, type FixtureProject } from '../support/packed-project';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { runJson, type JsonRun } from '../support/jest-json';

// One test whose requests are listed in CALLS, so each run can ask for old and new ones.
const CALLS_TEST = `
test('calls', async () => {
  for (const call of process.env.CALLS.split(',')) {
    const res = await fetch(process.env.PROVIDER_URL + '/echo/' + call);
    expect((await res.json()).path).toBe('/echo/' + call);
  }
});
`;

const CASSETTE = 'cassettes/calls.test.js/calls.yaml';

interface StoredCassette {
  run_id: string;
  meta: { mode: string };
  interactions: { index: number; request: { url: string } }[];
}

describe('modes, run after run on one cassette', () => {
  let provider: FakeProvider;
  let fixture: FixtureProject;

  beforeAll(async () => {
    provider = await startFakeProvider();
    fixture = createFixture('modes');
    fixture.write('calls.test.js', CALLS_TEST);
  });
  afterAll(async () => {
    await provider.close();
    fixture.remove();
  });

  // Requests the provider served during one run (connections are reused by keep-alive, so count requests).
  const run = async (mode: string | undefined, calls: string): Promise<{ run: JsonRun; served: string[] }> => {
    const before = provider.requests.length;
    const result = await runJson(fixture, [], { AGENTTAPE_MODE: mode, CALLS: calls, PROVIDER_URL: provider.url });
    return { run: result, served: provider.requests.slice(before).map((r) => r.url) };
  };
  const cassette = () => parse(fixture.read(CASSETTE)) as StoredCassette;
  const urls = () => cassette().interactions.map((i) => new URL(i.request.url).pathname);
  const fileState = () => {
    const file = path.join(fixture.dir, CASSETTE);
    return { bytes: fs.readFileSync(file, 'utf8'), mtimeMs: fs.statSync(file).mtimeMs };
  };

  test('once: records only while the cassette file is absent, then replays strictly', async () => {
    const first = await run('once', 'a');
    expect(first.run.test('calls').status).toBe('passed');
    expect(first.served).toEqual(['/echo/a']);
    expect(urls()).toEqual(['/echo/a']);
    expect(cassette().meta.mode).toBe('once');

    const written = fileState();
    const second = await run('once', 'a,b');
    expect(second.run.test('calls').status).toBe('failed');
    const message = second.run.test('calls').failureMessages.join('\n');
    expect(message).toContain('Mode:     once (replay strictly; records only when the cassette file is absent; from AGENTTAPE_MODE)');
    expect(message).toContain(`${provider.url}/echo/b`);
    expect(second.served).toEqual([]);
    expect(fileState()).toEqual(written);
  });

  test('new_episodes: replays what is known and appends what is new, keeping the old interactions in order', async () => {
    const before = cassette();
    const result = await run('new_episodes', 'a,b');
    expect(result.run.test('calls').status).toBe('passed');
    expect(result.served).toEqual(['/echo/b']);
    const after = cassette();
    expect(urls()).toEqual(['/echo/a', '/echo/b']);
    expect(after.interactions.map((i) => i.index)).toEqual([0, 1]);
    expect(after.interactions[0]).toEqual(before.interactions[0]);
    expect(after.run_id).toBe(before.run_id);
    expect(after.meta.mode).toBe('new_episodes');
  });

  test('none: replays with no network and never writes, even when a request is missing', async () => {
    const written = fileState();
    const replay = await run(undefined, 'a,b');
    expect(replay.run.test('calls').status).toBe('passed');
    expect(replay.served).toEqual([]);
    expect(fileState()).toEqual(written);

    const miss = await run('none', 'a,d');
    expect(miss.run.test('calls').status).toBe('failed');
    expect(miss.run.test('calls').failureMessages.join('\n')).toContain('Mode:     none (replay only; from AGENTTAPE_MODE)');
    expect(miss.served).toEqual([]);
    expect(fileState()).toEqual(written);

    // A recording serves once: the same request a second time is a miss, and is not sent either.
    const used = await run('none', 'a,a');
    expect(used.run.test('calls').status).toBe('failed');
    expect(used.run.test('calls').failureMessages.join('\n')).toContain('UnmatchedInteractionError');
    expect(used.served).toEqual([]);
    expect(fileState()).toEqual(written);
  });

  test('all and record: ignore the cassette and record afresh', async () => {
    const before = cassette();
    const all = await run('all', 'c');
    expect(all.run.test('calls').status).toBe('passed');
    expect(all.served).toEqual(['/echo/c']);
    expect(urls()).toEqual(['/echo/c']);
    expect(cassette().run_id).not.toBe(before.run_id);
    expect(cassette().meta.mode).toBe('all');

    const record = await run('record', 'a,a');
    expect(record.run.test('calls').status).toBe('passed');
    expect(record.served).toEqual(['/echo/a', '/echo/a']);
    expect(urls()).toEqual(['/echo/a', '/echo/a']);
    expect(cassette().meta.mode).toBe('record');
  });
});

// Each test writes the mode it sees; the docblock must be the first thing in the file.
const observe = (name: string) => `
const fs = require('node:fs');
const path = require('node:path');
const { cassette } = require('agenttape');
const seen = {};
afterAll(() => fs.writeFileSync(path.join(__dirname, '${name}.modes.json'), JSON.stringify(seen)));
`;

const PLAIN_TEST = `${observe('plain')}
test('default', () => {
  seen.default = cassette.mode;
});
test('per-test option', () => {
  cassette.use({ mode: 'all' });
  seen.perTest = cassette.mode;
});
test('after the per-test option', () => {
  seen.next = cassette.mode;
});
`;

const DOCBLOCK_TEST = `/**
 * @agenttape-mode once
 */
${observe('docblock')}
beforeEach(() => {
  if (expect.getState().currentTestName === 'beforeEach option') cassette.use({ mode: 'none' });
});
test('docblock', () => {
  seen.docblock = cassette.mode;
});
test('beforeEach option', () => {
  seen.beforeEach = cassette.mode;
});
`;

describe('which mode wins', () => {
  let fixture: FixtureProject;

  beforeAll(() => {
    fixture = createFixture('mode-precedence');
    fixture.write('agenttape.config.json', JSON.stringify({ mode: 'new_episodes' }));
    fixture.write('plain.test.js', PLAIN_TEST);
    fixture.write('docblock.test.js', DOCBLOCK_TEST);
  });
  afterAll(() => fixture.remove());

  const seen = (name: string) => JSON.parse(fixture.read(`${name}.modes.json`)) as Record<string, string>;

  test('per-test option > docblock > configuration, and a per-test option stays with its test', async () => {
    const result = await runJson(fixture);
    expect(result.status).toBe(0);
    expect(seen('plain')).toEqual({ default: 'new_episodes', perTest: 'all', next: 'new_episodes' });
    expect(seen('docblock')).toEqual({ docblock: 'once', beforeEach: 'none' });
  });

  test('AGENTTAPE_MODE sits between the docblock and the configuration', async () => {
    const result = await runJson(fixture, [], { AGENTTAPE_MODE: 'record' });
    expect(result.status).toBe(0);
    expect(seen('plain')).toEqual({ default: 'record', perTest: 'all', next: 'record' });
    expect(seen('docblock')).toEqual({ docblock: 'once', beforeEach: 'none' });
  });

  test('with no source at all the mode is none', async () => {
    fs.rmSync(path.join(fixture.dir, 'agenttape.config.json'));
    const result = await runJson(fixture);
    expect(result.status).toBe(0);
    expect(seen('plain')).toEqual({ default: 'none', perTest: 'all', next: 'none' });
  });
});
