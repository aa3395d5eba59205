'use strict';
/**
 * Drives AgentTape's real replay path without Jest: a cassette written by
 * serializeCassette, a CassetteState that opens the test's tape, the runtime an
 * adapter sees, and the nock interception with the HTTP handler.
 */
const fs = require('node:fs');
const path = require('node:path');

const DIST = path.resolve(__dirname, '..', '..', 'dist');
const need = (relative) => require(path.join(DIST, relative));

const TEST_NAME = 'bench replay';

function modules() {
  return {
    format: need('cassette/cassette-yaml.js'),
    config: need('config/config.js'),
    redactor: need('redact/redactor.js'),
    state: need('engine/cassette-state.js'),
    canonical: need('engine/canonical-request.js'),
    matchIndex: need('engine/match-index.js'),
    exchange: need('http/http-exchange.js'),
    handler: need('http/http-handler.js'),
    interception: need(interceptionModule()),
  };
}

/**
 * The module whose HttpInterception the Jest environment uses (read from
 * dist/jest/environment.js and the session modules it builds each run with),
 * so the bench follows the interception the product really ships
 * (request-interception.js, …).
 */
function interceptionModule() {
  const sources = [path.join(DIST, 'jest', 'environment.js'), path.join(DIST, 'session', 'cassette-session.js')].filter((f) => fs.existsSync(f));
  for (const source of sources) {
    for (const match of fs.readFileSync(source, 'utf8').matchAll(/require\("\.\.\/http\/([\w-]+)"\)/g)) {
      const relative = `http/${match[1]}.js`;
      if (typeof need(relative).HttpInterception === 'function') return relative;
    }
  }
  throw new Error('bench: neither dist/jest/environment.js nor dist/session/cassette-session.js requires a ../http module exporting HttpInterception; update bench/lib/agenttape.js');
}

/** Where the cassette of a project rooted at `rootDir` lives, for the bench test. */
function location(rootDir) {
  return { cassetteDir: path.join(rootDir, 'cassettes'), rootDir, testPath: path.join(rootDir, 'bench.test.js') };
}

/**
 * Builds the interactions for `recordings` the way recording would store them
 * (toStoredRequest / toStoredResponse through the real redactor).
 */
function buildDocument(recordings, { url, boundary, responseHeaders = { 'content-type': 'application/json' } }) {
  const m = modules();
  const config = m.config.loadConfig(path.join(require('node:os').tmpdir()), undefined);
  const redactor = new m.redactor.Redactor(config.redact);
  const canonicalOptions = m.matchIndex.primaryCanonicalOptions(config);
  const interactions = recordings.map((r, index) => {
    const wire = { method: 'POST', url, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(r.requestText)) }, body: Buffer.from(r.requestText) };
    const request = m.exchange.toStoredRequest(wire, redactor);
    // `r.chunks` ({ delayMs, text }) records a stream as it arrived, with its gaps.
    const chunks = r.chunks?.map((c) => ({ delayMs: c.delayMs, bytes: Buffer.from(c.text) }));
    const wireResponse = { status: 200, headers: responseHeaders, body: Buffer.from(r.responseText), ...(chunks ? { chunks, contentLength: false } : {}) };
    const response = m.exchange.toStoredResponse(wireResponse, redactor, config.redact.placeholder);
    return {
      index,
      kind: 'http',
      boundary,
      request,
      response,
      match_key: m.canonical.computeMatchKey(m.canonical.canonicalizeRequest(request, canonicalOptions)),
      latency_ms: 1,
      usage: null,
      tags: [],
      metadata: {},
    };
  });
  return {
    version: '1',
    created_at: '2026-01-01T00:00:00.000Z',
    run_id: '00000000-0000-4000-8000-000000000000',
    meta: { agenttape_version: 'bench', mode: 'record', test_file: 'bench.test.js', test_name: TEST_NAME, freeze: {}, tags: [] },
    interactions,
  };
}

/** Writes the YAML cassette of the bench test under `rootDir`; returns its path. */
function writeCassette(rootDir, document) {
  const m = modules();
  const file = cassetteFile(rootDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, m.format.serializeCassette(document));
  return file;
}

function cassetteFile(rootDir) {
  const cassettePath = need('cassette/cassette-path.js');
  return cassettePath.cassettePath(location(rootDir), cassettePath.toCassetteFileName(TEST_NAME));
}

/**
 * A replay session: each `open()` builds a new CassetteState (so the cassette
 * file is read and parsed again), opens the test's tape, and activates a new
 * interception whose runtime serves that tape. `close()` deactivates it and
 * saves the state, as the Jest environment does when a test file ends: that is
 * when the parse cache of a large cassette first read lazily is written, so
 * later opens read it as later Jest runs do.
 */
class AgentTapeSession {
  constructor(rootDir) {
    this.m = modules();
    this.rootDir = rootDir;
    this.config = this.m.config.loadConfig(rootDir, undefined);
    this.interception = undefined;
    this.failures = [];
  }

  open() {
    const m = this.m;
    this.close();
    const state = new m.state.CassetteState(location(this.rootDir), this.config, { ci: false }, new m.redactor.Redactor(this.config.redact));
    const tape = state.openTest(TEST_NAME);
    const failures = (this.failures = []);
    const runtime = {
      currentTape: () => tape,
      config: this.config,
      redactor: new m.redactor.Redactor(this.config.redact),
      reportFailure(_tape, error) {
        failures.push(error);
      },
    };
    this.interception = new m.interception.HttpInterception(m.handler.createHttpHandler(runtime));
    this.interception.activate();
    this.state = state;
    this.tape = tape;
    return tape;
  }

  close() {
    if (this.interception) this.interception.deactivate();
    this.interception = undefined;
    if (this.state) this.state.save();
    this.state = undefined;
  }
}

module.exports = { TEST_NAME, DIST, modules, interceptionModule, location, buildDocument, writeCassette, cassetteFile, AgentTapeSession };
