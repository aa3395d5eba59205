'use strict';
/**
 * Section 3: whole Jest runs of a generated suite (FILES files × 10 replayed
 * requests) with the AgentTape preset, hand-written nock, and Polly.js;
 * --runInBand and --maxWorkers=2, interleaved, medians.
 */
const path = require('node:path');
const { BENCH_TMP } = require('../lib/cache');
const { runJest, assertPassed } = require('../lib/jest-run');
const { startLoopback } = require('../lib/loopback');
const { ensurePackedPackage } = require('../lib/packed-install');
const { median, ratio, rotate } = require('../lib/stats');
const { generate } = require('./generate');

const FLAVOURS = ['agenttape', 'nock', 'polly'];

/** Records the AgentTape cassettes and Polly HARs against a loopback server, once. */
async function recordSuites(dirs, server, log) {
  const record = await runJest(dirs.agenttape, ['--runInBand'], { AGENTTAPE_MODE: 'record' });
  assertPassed(record, 'AgentTape record run');
  const polly = await runJest(dirs.polly, ['--runInBand'], { POLLY_MODE: 'record' });
  assertPassed(polly, 'Polly record run');
  log(`  recorded: agenttape ${(record.ms / 1000).toFixed(1)} s, polly ${(polly.ms / 1000).toFixed(1)} s`);
}

async function run({ quick, log, files: filesOption }) {
  const files = filesOption ?? (quick ? 20 : 50);
  const rounds = quick ? 2 : 3;
  const installed = ensurePackedPackage(log);
  const root = path.join(BENCH_TMP, 'jest-suite');
  // The server only answers while recording; replay runs must not reach it.
  const placeholder = await startLoopback(new Map());
  const url = `${placeholder.origin}/v1/items`;
  await placeholder.close();
  const { dirs, responses } = generate(root, { files, url, installedPackage: installed });
  // Same port as the URL baked into the fixtures, now serving them.
  const server = await startLoopbackOn(responses, Number(new URL(url).port));
  let requestsSeen = 0;
  server.server.on('request', () => requestsSeen++);
  try {
    log(`jest-suite: ${files} files × 10 requests, flavours ${FLAVOURS.join(', ')}; recording…`);
    await recordSuites(dirs, server, log);
  } finally {
    await server.close();
  }
  const recordedRequests = requestsSeen;
  // Warm-up (Jest's haste map and transform caches), and proof each flavour passes offline.
  for (const flavour of FLAVOURS) assertPassed(await runJest(dirs[flavour], ['--runInBand']), `${flavour} warm-up replay run`);
  const modes = [['--runInBand'], ['--maxWorkers=2']];
  const samples = {};
  for (let r = 0; r < rounds; r++) {
    for (const [m, args] of modes.entries()) {
      for (const flavour of rotate(FLAVOURS, r + m)) {
        const result = await runJest(dirs[flavour], args);
        assertPassed(result, `${flavour} ${args.join(' ')} replay run`);
        ((samples[args[0]] ??= {})[flavour] ??= []).push({ ms: result.ms, cpuMs: result.cpuMs });
        log(`  round ${r + 1} ${args[0]} ${flavour}: ${(result.ms / 1000).toFixed(2)} s wall, ${(result.cpuMs / 1000).toFixed(2)} s CPU`);
      }
    }
  }
  const summary = {};
  for (const [mode, byFlavour] of Object.entries(samples)) {
    summary[mode] = {};
    for (const [flavour, list] of Object.entries(byFlavour)) {
      summary[mode][flavour] = { medianMs: median(list.map((s) => s.ms)), medianCpuMs: median(list.map((s) => s.cpuMs)), runs: list };
    }
    const s = summary[mode];
    s.agenttapeVsNock = ratio(s.agenttape.medianMs, s.nock.medianMs);
    s.agenttapeVsPolly = ratio(s.agenttape.medianMs, s.polly.medianMs);
    s.cpuAgenttapeVsNock = ratio(s.agenttape.medianCpuMs, s.nock.medianCpuMs);
    s.cpuAgenttapeVsPolly = ratio(s.agenttape.medianCpuMs, s.polly.medianCpuMs);
  }
  return { files, requestsPerFile: 10, rounds, recordedRequests, summary };
}

async function startLoopbackOn(responses, port) {
  const http = require('node:http');
  const started = await startLoopback(responses);
  // Re-listen on the fixed port the fixtures name.
  await started.close();
  const server = http.createServer(started.server.listeners('request')[0]);
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  return {
    server,
    port,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}

module.exports = { run };
