'use strict';
/**
 * Generates the Jest suites of section 3: FILES test files × 10 requests
 * (5 tests × 2 requests), in three flavours that load the same fixtures and
 * check every reply body: AgentTape preset, hand-written nock interceptors,
 * Polly.js with setup-polly-jest.
 */
const fs = require('node:fs');
const path = require('node:path');
const { makeRecordings } = require('../lib/fixtures');

const TESTS_PER_FILE = 5;
const REQUESTS_PER_TEST = 2;

const POST_HELPER = `
const http = require('node:http');
function post(url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
`;

function testBody(file, setupPerTest = '') {
  return `
describe('bench file ${file}', () => {
  for (let t = 0; t < ${TESTS_PER_FILE}; t++) {
    test('case ' + t, async () => {
      const items = fixtures.items.slice(t * ${REQUESTS_PER_TEST}, (t + 1) * ${REQUESTS_PER_TEST});${setupPerTest}
      for (const item of items) {
        const reply = await post(fixtures.url, JSON.stringify(item.request));
        expect(reply.status).toBe(200);
        expect(reply.text === JSON.stringify(item.response)).toBe(true);
      }
    });
  }
});
`;
}

const FLAVOURS = {
  agenttape: {
    config: () => ({ preset: 'agenttape', rootDir: '.', testMatch: ['**/*.test.js'], testTimeout: 60000 }),
    file: (n) => `const fixtures = require('./fixtures/f${n}.json');\n${POST_HELPER}${testBody(n)}`,
  },
  nock: {
    config: () => ({ testEnvironment: 'node', rootDir: '.', testMatch: ['**/*.test.js'], transform: {}, testTimeout: 60000 }),
    file: (n) => `const nock = require('nock');
const fixtures = require('./fixtures/f${n}.json');
${POST_HELPER}
afterEach(() => {
  const done = nock.isDone();
  nock.cleanAll();
  expect(done).toBe(true);
});
// Each test file loads its own nock in Jest's module registry; without restore,
// every earlier file's interceptors stay layered on node:http in the same worker.
afterAll(() => nock.restore());
${testBody(
  n,
  `
      const { origin, pathname } = new URL(fixtures.url);
      const scope = nock(origin);
      for (const item of items) scope.post(pathname, item.request).reply(200, item.response);`,
)}`,
  },
  polly: {
    config: () => ({ testEnvironment: 'setup-polly-jest/jest-environment-node', rootDir: '.', testMatch: ['**/*.test.js'], transform: {}, testTimeout: 60000 }),
    file: (n) => `const path = require('node:path');
const { setupPolly } = require('setup-polly-jest');
const NodeHttpAdapter = require('@pollyjs/adapter-node-http');
const FSPersister = require('@pollyjs/persister-fs');
const fixtures = require('./fixtures/f${n}.json');
${POST_HELPER}
setupPolly({
  // Classes, not names: setup-polly-jest builds Polly in the environment's realm.
  adapters: [NodeHttpAdapter],
  persister: FSPersister,
  persisterOptions: { fs: { recordingsDir: path.join(__dirname, '__recordings__') } },
  mode: process.env.POLLY_MODE === 'record' ? 'record' : 'replay',
  recordIfMissing: false,
  logLevel: 'silent',
  matchRequestsBy: { headers: false },
});
${testBody(n)}`,
  },
};

/** Writes the three suites under `root`; returns { dirs, fixtures (request text -> response text) }. */
function generate(root, { files, url, installedPackage, flavours = Object.keys(FLAVOURS) }) {
  fs.rmSync(root, { recursive: true, force: true });
  const perFile = TESTS_PER_FILE * REQUESTS_PER_TEST;
  const recordings = makeRecordings(files * perFile);
  const responses = new Map(recordings.map((r) => [r.requestText, r.responseText]));
  const dirs = {};
  for (const flavour of flavours) {
    const spec = FLAVOURS[flavour];
    const dir = path.join(root, flavour);
    dirs[flavour] = dir;
    fs.mkdirSync(path.join(dir, 'fixtures'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `bench-${flavour}`, private: true }));
    if (flavour === 'agenttape') {
      // preset: 'agenttape' resolves to the packed install, as in a user's project.
      fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
      fs.symlinkSync(installedPackage, path.join(dir, 'node_modules', 'agenttape'), 'dir');
    }
    fs.writeFileSync(path.join(dir, 'jest.config.js'), `module.exports = ${JSON.stringify(spec.config(installedPackage), null, 2)};\n`);
    for (let f = 0; f < files; f++) {
      const n = String(f).padStart(3, '0');
      const items = recordings.slice(f * perFile, (f + 1) * perFile).map((r) => ({ request: r.requestObj, response: r.responseObj }));
      fs.writeFileSync(path.join(dir, 'fixtures', `f${n}.json`), JSON.stringify({ url, items }));
      fs.writeFileSync(path.join(dir, `f${n}.test.js`), spec.file(n));
    }
  }
  return { dirs, responses };
}

module.exports = { generate, FLAVOURS, TESTS_PER_FILE, REQUESTS_PER_TEST };
