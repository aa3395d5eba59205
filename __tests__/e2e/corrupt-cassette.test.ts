/**
 * Corrupt cassettes (docs/format.md) end to end: a cassette that cannot be read fails its test with the
 * file and the line or field, and is never overwritten in a replaying mode —
 * only an explicit re-record replaces it.
 */
import { createFixture, type FixtureProject } from '../support/packed-project';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { runJson, snapshotFiles, type JsonRun } from '../support/jest-json';

const CORRUPT_TEST = `
const get = (what) => fetch(process.env.PROVIDER_URL + '/echo/' + what).then((res) => res.json());
test('invalid yaml', async () => {
  expect((await get('a')).path).toBe('/echo/a');
});
test('wrong field type', async () => {
  expect((await get('b')).path).toBe('/echo/b');
});
test('unknown version', async () => {
  expect((await get('c')).path).toBe('/echo/c');
});
test('no request', () => {
  expect(true).toBe(true);
});
`;

const INVALID_YAML = `version: '1'
created_at: '2026-11-25T12:00:00.000Z'
interactions:
  - index: 0
    kind: http
   boundary: 127.0.0.1
`;

const WRONG_TYPE = (url: string) => `version: '1'
created_at: '2026-11-25T12:00:00.000Z'
run_id: r
meta: {}
interactions:
  - index: 0
    kind: http
    boundary: 127.0.0.1
    request:
      method: GET
      url: ${url}/echo/b
    response:
      status_code: two hundred
    match_key: sha256:x
`;

const UNKNOWN_VERSION = `version: '7'
created_at: '2026-11-25T12:00:00.000Z'
run_id: r
meta: {}
interactions: []
`;

const NO_REQUEST = `version: '1'
interactions: {}
`;

describe('a corrupt cassette', () => {
  let provider: FakeProvider;
  let fixture: FixtureProject;
  let originals: Record<string, string>;

  beforeAll(async () => {
    provider = await startFakeProvider();
    fixture = createFixture('corrupt');
    fixture.write('corrupt.test.js', CORRUPT_TEST);
    fixture.write('cassettes/corrupt.test.js/invalid yaml.yaml', INVALID_YAML);
    fixture.write('cassettes/corrupt.test.js/wrong field type.yaml', WRONG_TYPE(provider.url));
    fixture.write('cassettes/corrupt.test.js/unknown version.yaml', UNKNOWN_VERSION);
    fixture.write('cassettes/corrupt.test.js/no request.yaml', NO_REQUEST);
    originals = snapshotFiles(fixture, 'cassettes');
  });
  afterAll(async () => {
    await provider.close();
    fixture.remove();
  });

  const cassette = (name: string) => `${fixture.dir}/cassettes/corrupt.test.js/${name}.yaml`;
  const message = (run: JsonRun, name: string) => run.test(name).failureMessages.join('\n');

  const expectReported = (run: JsonRun) => {
    for (const name of ['invalid yaml', 'wrong field type', 'unknown version', 'no request']) expect(run.test(name).status).toBe('failed');
    expect(message(run, 'invalid yaml')).toContain(`CassetteCorruptError: Cassette ${cassette('invalid yaml')} is not valid YAML (line 6, column 4): bad indentation of a sequence entry\n`);
    expect(message(run, 'wrong field type')).toContain(
      `CassetteCorruptError: Cassette ${cassette('wrong field type')} is corrupt: field "interactions[0].response" (line 13) must have an integer "status_code" between 100 and 999.`,
    );
    expect(message(run, 'unknown version')).toContain(`SchemaVersionError: Cassette ${cassette('unknown version')} has schema version "7", which this AgentTape does not support (supported: "1").`);
    expect(message(run, 'no request')).toContain(`Cassette ${cassette('no request')} is corrupt: field "interactions" (line 2) must be a list.`);
    for (const name of ['invalid yaml', 'wrong field type', 'no request']) expect(message(run, name)).toContain('The file was left untouched.');
  };

  test.each([['none'], ['new_episodes']])('in %s mode the test fails with the file and line or field, and the file stays byte-identical', async (mode) => {
    const before = provider.requests.length;
    const run = await runJson(fixture, [], { AGENTTAPE_MODE: mode, PROVIDER_URL: provider.url });
    expectReported(run);
    expect(provider.requests.length).toBe(before);
    expect(snapshotFiles(fixture, 'cassettes')).toEqual(originals);
  });

  test('an explicit re-record replaces the damaged files', async () => {
    const run = await runJson(fixture, [], { AGENTTAPE_MODE: 'record', PROVIDER_URL: provider.url });
    expect(run.status).toBe(0);
    expect(fixture.read('cassettes/corrupt.test.js/invalid yaml.yaml')).toContain(`url: ${provider.url}/echo/a`);
    expect(fixture.read('cassettes/corrupt.test.js/unknown version.yaml')).toMatch(/^version: "1"\n/);
    // A test that made no request records nothing, so its damaged file is not touched.
    expect(fixture.read('cassettes/corrupt.test.js/no request.yaml')).toBe(NO_REQUEST);
  });
});
