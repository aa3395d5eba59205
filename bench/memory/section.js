'use strict';
/**
 * Section 5: (a) peak RSS of a process replaying from a large cassette vs the
 * file size; (b) heap after each of many test files in one Jest worker
 * (--runInBand --logHeapUsage), AgentTape preset.
 */
const { fork } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { BENCH_TMP, REPO_ROOT, hashFiles, cached } = require('../lib/cache');
const { URL: FIXTURE_URL, HOST } = require('../lib/fixtures');
const { runJest, assertPassed } = require('../lib/jest-run');
const { startLoopback } = require('../lib/loopback');
const { ensurePackedPackage } = require('../lib/packed-install');
const { median, ratio } = require('../lib/stats');
const { generate } = require('../jest-suite/generate');
const { memoryRecordings, countForMegabytes } = require('./fixtures');

async function peakRss({ megabytes, replayCount, log }) {
  const { buildDocument, writeCassette, cassetteFile } = require('../lib/agenttape');
  const count = countForMegabytes(megabytes);
  const key = hashFiles(
    ['cassette/cassette-yaml.js', 'cassette/cassette-schema.js', 'http/http-exchange.js', 'redact/redactor.js']
      .map((f) => path.join(REPO_ROOT, 'dist', f))
      .concat(path.join(__dirname, 'fixtures.js'), path.join(__dirname, '..', 'lib', 'fixtures.js')),
  );
  const dir = path.join(BENCH_TMP, 'fixtures', `memory-${megabytes}mb`);
  const built = await cached(dir, key, (d) => {
    log(`  writing a ${megabytes} MB cassette (${count} interactions)…`);
    writeCassette(d, buildDocument(memoryRecordings(count), { url: FIXTURE_URL, boundary: HOST }));
  });
  const fileBytes = fs.statSync(cassetteFile(dir)).size;
  log(`memory: peak RSS replaying ${(fileBytes / 1e6).toFixed(1)} MB cassette (${count} interactions${built.reused ? ', cached' : ''})`);
  // First read (the YAML parsed, as on a fresh clone or in CI), then a read served by the parse cache.
  fs.rmSync(path.join(dir, 'node_modules', '.cache', 'agenttape', 'parsed'), { recursive: true, force: true });
  const reads = {};
  for (const read of ['first', 'cached']) {
    const result = await new Promise((resolve) => {
      const child = fork(path.join(__dirname, 'rss-child.js'), [dir, String(replayCount)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--max-old-space-size=8192'] });
      let message;
      child.on('message', (m) => (message = m));
      child.on('exit', (code, signal) => resolve(message?.ok ? message : { ok: false, error: message?.error ?? `exit ${code} ${signal ?? ''}` }));
    });
    if (!result.ok) return { fileBytes, interactions: count, error: `${read} read: ${result.error}` };
    reads[read] = {
      maxRSSBytes: result.maxRSSKb * 1024,
      baselineRSSBytes: result.baselineRSSKb * 1024,
      rssOverFile: ratio(result.maxRSSKb * 1024, fileBytes),
      rssAboveBaselineOverFile: ratio((result.maxRSSKb - result.baselineRSSKb) * 1024, fileBytes),
      openMs: result.openMs,
      replayMs: result.replayMs,
    };
  }
  return { fileBytes, interactions: count, replayed: replayCount, ...reads.first, cached: reads.cached };
}

async function heapPerFile({ files, log }) {
  const installed = ensurePackedPackage(log);
  const root = path.join(BENCH_TMP, 'heap-suite');
  const placeholder = await startLoopback(new Map());
  const port = placeholder.port;
  await placeholder.close();
  const { dirs, responses } = generate(root, { files, url: `http://127.0.0.1:${port}/v1/items`, installedPackage: installed, flavours: ['agenttape'] });
  const http = require('node:http');
  const handler = await startLoopback(responses);
  await handler.close();
  const server = http.createServer(handler.server.listeners('request')[0]);
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  try {
    log(`memory: recording ${files} AgentTape test files for the heap run…`);
    assertPassed(await runJest(dirs.agenttape, ['--runInBand'], { AGENTTAPE_MODE: 'record' }), 'heap suite record run');
  } finally {
    server.closeAllConnections?.();
    await new Promise((r) => server.close(r));
  }
  // With --expose-gc, Jest collects garbage before it reads each file's heap, so the figures are live data.
  const run = await runJest(dirs.agenttape, ['--runInBand', '--logHeapUsage'], {}, ['--expose-gc']);
  assertPassed(run, 'heap suite replay run');
  const heaps = [...run.output.matchAll(/^PASS .*\((\d+) MB heap size\)/gm)].map((m) => Number(m[1]));
  if (heaps.length !== files) throw new Error(`heap run: expected ${files} heap figures, found ${heaps.length}`);
  const tenth = Math.max(1, Math.floor(files / 10));
  const firstTenth = median(heaps.slice(0, tenth));
  const lastTenth = median(heaps.slice(-tenth));
  // Least-squares slope over the second half, in MB per 100 files.
  const half = heaps.slice(Math.floor(files / 2));
  const xs = half.map((_, i) => i);
  const meanX = xs.reduce((a, b) => a + b, 0) / xs.length;
  const meanY = half.reduce((a, b) => a + b, 0) / half.length;
  const slope = xs.reduce((a, x, i) => a + (x - meanX) * (half[i] - meanY), 0) / xs.reduce((a, x) => a + (x - meanX) ** 2, 0);
  return { files, heapsMb: heaps, firstTenthMedianMb: firstTenth, lastTenthMedianMb: lastTenth, maxMb: Math.max(...heaps), slopeMbPer100FilesSecondHalf: slope * 100, wallMs: run.ms };
}

async function run({ quick, log, heap: withHeap = true }) {
  const rss = await peakRss({ megabytes: quick ? 20 : 100, replayCount: quick ? 50 : 200, log });
  const heap = withHeap ? await heapPerFile({ files: quick ? 100 : 500, log }) : undefined;
  return { rss, heap };
}

module.exports = { run, peakRss, heapPerFile };
