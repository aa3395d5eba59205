'use strict';
/**
 * Section 2: cold start to the first replayed response from a ~10 MB cassette
 * (1,000 interactions, ~10 KB responses), AgentTape vs bare nock loading the
 * same interactions from JSON, each in a fresh process, alternating.
 */
const { fork } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { BENCH_TMP, REPO_ROOT, hashFiles, cached } = require('../lib/cache');
const { URL: FIXTURE_URL, HOST, ORIGIN, PATH } = require('../lib/fixtures');
const { median, ratio } = require('../lib/stats');
const { COUNT, coldRecordings } = require('./fixtures');

function runChild(script, args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = fork(path.join(__dirname, script), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result;
    child.on('message', (m) => (result = m));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!result || !result.ok) return reject(new Error(`${script} failed (exit ${code}): ${result?.error ?? 'no result'}`));
      resolve({ ...result, spawnToExitMs: performance.now() - started });
    });
  });
}

async function prepare() {
  const { buildDocument, writeCassette, cassetteFile } = require('../lib/agenttape');
  const key = hashFiles(
    ['cassette/cassette-yaml.js', 'cassette/cassette-schema.js', 'http/http-exchange.js', 'redact/redactor.js']
      .map((f) => path.join(REPO_ROOT, 'dist', f))
      .concat(path.join(__dirname, 'fixtures.js'), path.join(__dirname, '..', 'lib', 'fixtures.js')),
  );
  const dir = path.join(BENCH_TMP, 'fixtures', 'cold-start');
  await cached(dir, key, (d) => {
    const recordings = coldRecordings();
    writeCassette(d, buildDocument(recordings, { url: FIXTURE_URL, boundary: HOST }));
    const definitions = recordings.map((r) => ({ scope: ORIGIN, method: 'POST', path: PATH, body: r.requestObj, status: 200, response: r.responseObj, rawHeaders: ['content-type', 'application/json'] }));
    fs.writeFileSync(path.join(d, 'nock-definitions.json'), JSON.stringify(definitions));
    fs.writeFileSync(path.join(d, 'expected.json'), JSON.stringify({ requestText: recordings[0].requestText, responseText: recordings[0].responseText }));
  });
  return { dir, cassette: cassetteFile(dir), definitions: path.join(dir, 'nock-definitions.json'), expected: path.join(dir, 'expected.json') };
}

/** The parse cache of the bench project (src/cassette/parse-cache.ts keeps it under node_modules/.cache/agenttape). */
function parseCacheDir(rootDir) {
  return path.join(rootDir, 'node_modules', '.cache', 'agenttape');
}

const hasParseCache = (rootDir) => fs.existsSync(path.join(parseCacheDir(rootDir), 'parsed')) && fs.readdirSync(path.join(parseCacheDir(rootDir), 'parsed')).some((n) => n.endsWith('.jsonl'));

/**
 * AgentTape is measured twice: "no cache" deletes the parse cache before every
 * round (a first read of the cassette, as on a fresh checkout or in CI), "cache"
 * reads the parse cache an earlier run wrote (written by an untimed run first
 * when it is missing).
 */
async function run({ quick, log }) {
  const rounds = quick ? 3 : 5;
  const files = await prepare();
  const cassetteBytes = fs.statSync(files.cassette).size;
  const jsonBytes = fs.statSync(files.definitions).size;
  log(`cold-start: cassette ${(cassetteBytes / 1e6).toFixed(1)} MB YAML, nock definitions ${(jsonBytes / 1e6).toFixed(1)} MB JSON, ${COUNT} interactions, ${rounds} rounds`);
  const variants = ['agenttapeNoCache', 'agenttapeCache', 'nock'];
  const samples = Object.fromEntries(variants.map((v) => [v, []]));
  const agenttape = () => runChild('agenttape-child.js', [files.dir, files.expected]);
  for (let r = 0; r < rounds; r++) {
    // Rotated, so no variant always runs first (or right after another).
    const order = variants.slice(r % variants.length).concat(variants.slice(0, r % variants.length));
    for (const variant of order) {
      if (variant === 'agenttapeNoCache') fs.rmSync(parseCacheDir(files.dir), { recursive: true, force: true });
      if (variant === 'agenttapeCache' && !hasParseCache(files.dir)) await agenttape();
      if (variant === 'agenttapeCache' && !hasParseCache(files.dir)) throw new Error('cold-start: the AgentTape run wrote no parse cache');
      samples[variant].push(variant === 'nock' ? await runChild('nock-child.js', [files.definitions, files.expected]) : await agenttape());
    }
  }
  const summary = {};
  for (const [variant, list] of Object.entries(samples)) {
    summary[variant] = {
      firstResponseMs: median(list.map((s) => s.firstResponseMs)),
      loadMs: median(list.map((s) => s.loadedMs - s.afterBootMs)),
      spawnToExitMs: median(list.map((s) => s.spawnToExitMs)),
      maxRSSKb: median(list.map((s) => s.maxRSSKb)),
      rounds: list.map((s) => s.firstResponseMs),
    };
  }
  return {
    rounds,
    interactions: COUNT,
    cassetteBytes,
    jsonBytes,
    summary,
    ratio: ratio(summary.agenttapeNoCache.firstResponseMs, summary.nock.firstResponseMs),
    cachedRatio: ratio(summary.agenttapeCache.firstResponseMs, summary.nock.firstResponseMs),
  };
}

module.exports = { run };
