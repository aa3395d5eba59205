/**
 * Living beside a project's own mocks: legacy test files that mock with nock
 * (required at module scope, with and without `nock.disableNetConnect()`)
 * and with msw (`setupServer(...).listen()` in `beforeAll`) pass unchanged
 * under the preset in `record`, `none` and `new_episodes`. Their mocks answer
 * through fetch and node:http, their mocked requests are in no cassette and
 * never reach the server, and the requests no mock takes are recorded and
 * replayed by AgentTape. The mocked paths exist on no server: a mock that did
 * not answer would show as a failed assertion or a request the server saw.
 */
import { createFixture, type FixtureProject } from '../support/packed-project';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';

const HELPERS = `
const http = require('node:http');
exports.base = process.env.PROVIDER_URL;
exports.viaHttp = (url) => new Promise((resolve, reject) => {
  http.get(url, (res) => {
    let body = '';
    res.on('data', (chunk) => (body += chunk));
    res.on('end', () => resolve({ status: res.statusCode, body }));
  }).on('error', reject);
});
`;

const NOCK_TEST = `
const nock = require('nock');
const { cassette } = require('agenttape');
const { base, viaHttp } = require('./helpers');

afterEach(() => nock.cleanAll());

test('fetch and node:http mocked by nock', async () => {
  nock(base).get('/mocked/nock-fetch').reply(200, { from: 'nock' });
  nock(base).get('/mocked/nock-http').reply(200, { from: 'nock' });
  expect(await (await fetch(base + '/mocked/nock-fetch')).json()).toEqual({ from: 'nock' });
  expect(JSON.parse((await viaHttp(base + '/mocked/nock-http')).body)).toEqual({ from: 'nock' });
  expect(cassette).toHaveReplayedAll();
});

test('requests no mock takes go through the cassette', async () => {
  expect((await (await fetch(base + '/echo/nock-unmocked-fetch')).json()).path).toBe('/echo/nock-unmocked-fetch');
  expect(JSON.parse((await viaHttp(base + '/echo/nock-unmocked-http')).body).path).toBe('/echo/nock-unmocked-http');
  expect(cassette).toHaveReplayedAll();
});
`;

const NOCK_STRICT_TEST = `
const nock = require('nock');
const { base, viaHttp } = require('./helpers');

beforeAll(() => nock.disableNetConnect());
afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

test('with disableNetConnect, mocked requests answer and nock refuses the rest', async () => {
  nock(base).get('/mocked/strict-fetch').reply(200, 'strict fetch');
  nock(base).get('/mocked/strict-http').reply(200, 'strict http');
  expect(await (await fetch(base + '/mocked/strict-fetch')).text()).toBe('strict fetch');
  expect((await viaHttp(base + '/mocked/strict-http')).body).toBe('strict http');
  await expect(fetch(base + '/mocked/strict-unmocked')).rejects.toThrow();
});
`;

const MSW_TEST = `
const { setupServer } = require('msw/node');
const { http, HttpResponse } = require('msw');
const { cassette } = require('agenttape');
const { base, viaHttp } = require('./helpers');

const server = setupServer(
  http.get(base + '/mocked/msw-fetch', () => HttpResponse.json({ from: 'msw' })),
  http.get(base + '/mocked/msw-http', () => HttpResponse.json({ from: 'msw' })),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => server.close());

test('fetch and node:http mocked by msw', async () => {
  expect(await (await fetch(base + '/mocked/msw-fetch')).json()).toEqual({ from: 'msw' });
  expect(JSON.parse((await viaHttp(base + '/mocked/msw-http')).body)).toEqual({ from: 'msw' });
  expect(cassette).toHaveReplayedAll();
});

test('requests no mock takes go through the cassette', async () => {
  expect((await (await fetch(base + '/echo/msw-unmocked-fetch')).json()).path).toBe('/echo/msw-unmocked-fetch');
  expect(JSON.parse((await viaHttp(base + '/echo/msw-unmocked-http')).body).path).toBe('/echo/msw-unmocked-http');
  expect(cassette).toHaveReplayedAll();
});
`;

describe("a project's own nock and msw mocks under the preset", () => {
  let provider: FakeProvider;
  let fixture: FixtureProject;
  const cassetteText = () =>
    fixture
      .files('cassettes')
      .map((file) => fixture.read(`cassettes/${file}`))
      .join('\n');

  beforeAll(async () => {
    provider = await startFakeProvider();
    fixture = createFixture('other-mocks');
    fixture.write('helpers.js', HELPERS);
    fixture.write('nock.test.js', NOCK_TEST);
    fixture.write('nock-strict.test.js', NOCK_STRICT_TEST);
    fixture.write('msw.test.js', MSW_TEST);
  });
  afterAll(async () => {
    await provider.close();
    fixture.remove();
  });

  const UNMOCKED = ['/echo/msw-unmocked-fetch', '/echo/msw-unmocked-http', '/echo/nock-unmocked-fetch', '/echo/nock-unmocked-http'];

  test('record: the mocks answer, the other requests are recorded, and no mocked request reaches the server or a cassette', async () => {
    // One worker, so nock and msw patch one after another in the same process, as in a real suite.
    const run = await fixture.run(['--runInBand'], { PROVIDER_URL: provider.url, AGENTTAPE_MODE: 'record' });
    expect(run.output).toContain('Tests:       5 passed, 5 total');
    expect(run.status).toBe(0);
    expect(provider.requests.map((r) => r.url).sort()).toEqual(UNMOCKED);
    const text = cassetteText();
    for (const path of UNMOCKED) expect(text).toContain(path);
    expect(text).not.toContain('/mocked/');
  });

  test.each(['none', 'new_episodes'])('%s: the mocks answer, the rest replays, zero connections, cassettes unchanged', async (mode) => {
    const before = cassetteText();
    const connections = provider.connections;
    const run = await fixture.run(['--runInBand'], { PROVIDER_URL: provider.url, AGENTTAPE_MODE: mode });
    expect(run.output).toContain('Tests:       5 passed, 5 total');
    expect(run.status).toBe(0);
    expect(provider.connections).toBe(connections);
    expect(cassetteText()).toBe(before);
  });
});
