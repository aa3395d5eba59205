/**
 * Matchers and cassette names (docs/format.md) end to end: `toHaveReplayedAll()` lists the recorded
 * interactions a test skipped (and `.not` works), and tests whose names
 * collide or hold `/`, `:` or `?` get distinct, readable cassette files that
 * each replay their own recording.
 */
import { createFixture, type FixtureProject } from '../support/packed-project';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { runJson, type JsonRun } from '../support/jest-json';

const REPLAYED_TEST = `
const { cassette } = require('agenttape');
const hit = (what) => fetch(process.env.PROVIDER_URL + '/echo/' + what).then((res) => res.json());
const replaying = process.env.AGENTTAPE_MODE === undefined;
const skip = process.env.SKIP === '1';

test('skips a recorded call', async () => {
  await hit('one');
  if (!skip) await hit('two');
  if (!skip) await hit('three');
  expect(cassette).toHaveReplayedAll();
});
test('not: some call skipped', async () => {
  if (!skip) await hit('four');
  if (replaying) expect(cassette).not.toHaveReplayedAll();
});
test('not: every call replayed', async () => {
  await hit('five');
  if (replaying) expect(cassette).not.toHaveReplayedAll();
});
test('not a cassette', () => {
  expect({}).toHaveReplayedAll();
});
`;

// Each test fetches its own path, so replaying the wrong file would be a miss.
const NAMES_TEST = `
const hit = (what) => fetch(process.env.PROVIDER_URL + '/echo/' + what).then((res) => res.json());
test('same name', async () => {
  expect((await hit('first')).path).toBe('/echo/first');
});
test('same name', async () => {
  expect((await hit('second')).path).toBe('/echo/second');
});
test('Same Name', async () => {
  expect((await hit('third')).path).toBe('/echo/third');
});
describe('weather', () => {
  test('London/Paris: rain?', async () => {
    expect((await hit('slash')).path).toBe('/echo/slash');
  });
  test('London_Paris_ rain_', async () => {
    expect((await hit('underscores')).path).toBe('/echo/underscores');
  });
});
`;

describe('toHaveReplayedAll and cassette names', () => {
  let provider: FakeProvider;
  let fixture: FixtureProject;
  let replay: JsonRun;
  let servedDuringReplay: number;

  beforeAll(async () => {
    provider = await startFakeProvider();
    fixture = createFixture('replayed-all');
    fixture.write('replayed.test.js', REPLAYED_TEST);
    fixture.write('names.test.js', NAMES_TEST);
    const record = await runJson(fixture, [], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url });
    // Only the misuse test fails while recording.
    expect(record.report.numFailedTests).toBe(1);
    const before = provider.requests.length;
    replay = await runJson(fixture, [], { PROVIDER_URL: provider.url, SKIP: '1' });
    servedDuringReplay = provider.requests.length - before;
  });
  afterAll(async () => {
    await provider.close();
    fixture.remove();
  });

  test('a skipped recorded call fails toHaveReplayedAll with a Jest-style message listing the unused interactions', () => {
    const result = replay.test('skips a recorded call');
    expect(result.status).toBe('failed');
    const message = result.failureMessages.join('\n');
    const host = new URL(provider.url).host;
    expect(message).toContain('expect(cassette).toHaveReplayedAll()');
    expect(message).toContain('Expected every recorded interaction to be replayed, but 2 of 3 were not:');
    expect(message).toContain(`  #1 http ${host}: GET ${provider.url}/echo/two\n  #2 http ${host}: GET ${provider.url}/echo/three`);
    expect(message).not.toContain('/echo/one');
    expect(message).toContain(`Cassette: ${fixture.dir}/cassettes/replayed.test.js/skips a recorded call.yaml`);
    expect(message).toContain('re-record the test with AGENTTAPE_MODE=record');
  });

  test('.not passes when a call was skipped and fails with its own message when every call was replayed', () => {
    expect(replay.test('not: some call skipped').status).toBe('passed');
    const result = replay.test('not: every call replayed');
    expect(result.status).toBe('failed');
    const message = result.failureMessages.join('\n');
    expect(message).toContain('expect(cassette).not.toHaveReplayedAll()');
    expect(message).toContain('Expected some recorded interaction not to be replayed, but all 1 were.');
  });

  test('a value other than the cassette handle is a matcher error', () => {
    const message = replay.test('not a cassette').failureMessages.join('\n');
    expect(message).toContain('received value must be the cassette handle');
  });

  test('colliding and unsafe names get distinct readable files, each replaying its own recording', () => {
    expect(fixture.files('cassettes/names.test.js')).toEqual(['Same Name (3).yaml', 'same name (2).yaml', 'same name.yaml', 'weather London_Paris_ rain_ (2).yaml', 'weather London_Paris_ rain_.yaml']);
    expect(fixture.read('cassettes/names.test.js/same name (2).yaml')).toContain('/echo/second');
    expect(fixture.read('cassettes/names.test.js/weather London_Paris_ rain_.yaml')).toContain('test_name: "weather London/Paris: rain?"');
    expect(replay.file('names.test.js').status).toBe('passed');
    expect(replay.file('names.test.js').assertionResults.map((a) => a.status)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed']);
    expect(servedDuringReplay).toBe(0);
  });

  test('a test run alone with -t (as the re-record command does) keeps the file it has in a full run', async () => {
    const before = provider.requests.length;
    const alone = await runJson(fixture, ['names.test.js', '-t', '^weather London_Paris_ rain_$'], { PROVIDER_URL: provider.url });
    expect(alone.test('weather London_Paris_ rain_').status).toBe('passed');
    const slash = fixture.read('cassettes/names.test.js/weather London_Paris_ rain_.yaml');
    const rerecord = await runJson(fixture, ['names.test.js', '-t', '^weather London_Paris_ rain_$'], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url });
    expect(rerecord.test('weather London_Paris_ rain_').status).toBe('passed');
    expect(provider.requests.slice(before).map((r) => r.url)).toEqual(['/echo/underscores']);
    expect(fixture.read('cassettes/names.test.js/weather London_Paris_ rain_.yaml')).toBe(slash);
    expect(fixture.read('cassettes/names.test.js/weather London_Paris_ rain_ (2).yaml')).toContain('/echo/underscores');
  });
});
