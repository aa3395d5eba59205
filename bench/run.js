#!/usr/bin/env node
'use strict';
/**
 * AgentTape benchmark: node bench/run.js [--quick] [--only per-request,cold-start,jest-suite,streams,recording,memory,memory-rss]
 * Prints a table per section and writes .tmp/bench/results.json. See bench/README.md.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { BENCH_TMP, REPO_ROOT } = require('./lib/cache');
const { fmtNum, fmtRatio, median, table } = require('./lib/stats');

const SECTIONS = {
  'per-request': () => require('./per-request/section'),
  'cold-start': () => require('./cold-start/section'),
  'jest-suite': () => require('./jest-suite/section'),
  streams: () => require('./streams/section'),
  recording: () => require('./recording/section'),
  memory: () => require('./memory/section'),
  // The peak-RSS half of `memory` alone (the 500-file heap run takes most of that section's time).
  'memory-rss': () => ({ run: (options) => require('./memory/section').run({ ...options, heap: false }) }),
};

function parseArgs(argv) {
  // memory-rss is a part of memory, run alone on request.
  const options = { quick: false, only: Object.keys(SECTIONS).filter((name) => name !== 'memory-rss'), out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') options.quick = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg.includes('=') ? arg.split('=')[1] : argv[++i];
      options.only = String(value ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = options.only.filter((s) => !SECTIONS[s]);
      if (unknown.length) throw new Error(`Unknown section(s) ${unknown.join(', ')}; valid: ${Object.keys(SECTIONS).join(', ')}`);
    } else if (arg === '--out' || arg.startsWith('--out=')) {
      options.out = path.resolve(arg.includes('=') ? arg.split('=')[1] : argv[++i]);
    } else if (arg === '--help' || arg === '-h') {
      console.log(`usage: node bench/run.js [--quick] [--only ${Object.keys(SECTIONS).join(',')}] [--out results.json]`);
      process.exit(0);
    } else throw new Error(`Unknown argument ${arg}; see --help`);
  }
  return options;
}

const pass = (value, target) => (Number.isFinite(value) ? (value <= target ? 'meets' : 'misses') : 'n/a');

const REPORTS = {
  'per-request'(r) {
    const rows = r.rows.map((x) => [
      x.size,
      x.client,
      x.order,
      fmtNum(x.nockUs),
      fmtNum(x.agenttapeUs),
      fmtNum(x.pollyUs),
      fmtNum(x.loopbackUs),
      fmtRatio(x.agenttapeVsNock),
      fmtRatio(x.pollyVsNock),
      fmtRatio(x.loopbackVsNock),
      fmtRatio(x.agenttapeVsSmallest),
      fmtRatio(x.cpu.agenttapeVsNock),
      fmtRatio(x.cpu.agenttapeVsSmallest),
    ]);
    return [
      `Per-request replay, median of ${r.rounds} interleaved rounds (µs per request, wall; ratios to bare nock in the same run); AgentTape through dist/${r.interception ?? '?'}`,
      table(['recordings', 'client', 'order', 'nock µs', 'agenttape µs', 'polly µs', 'loopback µs', 'AT/nock', 'polly/nock', 'loop/nock', `AT vs ${r.sizes[0]}`, 'AT/nock CPU', `AT vs ${r.sizes[0]} CPU`], rows),
      `nock's playback timer chain alone (setImmediate → setTimeout 0 → setTimeout 0, no request): ${fmtNum(r.nockTimerFloor?.medianUs)} µs median — a wall-time floor under every reply served through nock's playback`,
      `Node's fetch answered at once by a dispatcher that only hands back the body: ${fmtNum(r.fetchFloor?.medianUs)} µs median — the floor under any replay through fetch; against the fetch rows' nock medians that is ${r.fetchFloor ? fmtRatio(r.fetchFloor.medianUs / median(r.rows.filter((x) => x.client === 'fetch').map((x) => x.nockUs))) : 'n/a'} before AgentTape does anything`,
      `Target AgentTape ≤ 0.5× nock: worst ${fmtRatio(r.targets.agenttapeVsNockMax)} wall (${pass(r.targets.agenttapeVsNockMax, 0.5)}), ${fmtRatio(r.targets.cpuAgenttapeVsNockMax)} CPU (${pass(r.targets.cpuAgenttapeVsNockMax, 0.5)})`,
      `Target ${r.sizes[r.sizes.length - 1]} recordings within 1.2× of ${r.sizes[0]}: worst ${fmtRatio(r.targets.agenttapeScalingMax)} wall (${pass(r.targets.agenttapeScalingMax, 1.2)}), ${fmtRatio(r.targets.cpuAgenttapeScalingMax)} CPU (${pass(r.targets.cpuAgenttapeScalingMax, 1.2)})`,
    ].join('\n');
  },
  'cold-start'(r) {
    const s = r.summary;
    return [
      `Cold start to first replayed response, ${r.interactions} interactions, cassette ${(r.cassetteBytes / 1e6).toFixed(1)} MB (nock JSON ${(r.jsonBytes / 1e6).toFixed(1)} MB), median of ${r.rounds} fresh processes each`,
      table(
        ['variant', 'first response ms', 'load ms', 'spawn→exit ms', 'max RSS MB'],
        [
          ['agenttape, first read (no parse cache)', 'agenttapeNoCache'],
          ['agenttape, from the parse cache', 'agenttapeCache'],
          ['nock', 'nock'],
        ].map(([name, v]) => [name, fmtNum(s[v].firstResponseMs), fmtNum(s[v].loadMs), fmtNum(s[v].spawnToExitMs), fmtNum(s[v].maxRSSKb / 1024)]),
      ),
      `AgentTape / nock, first read (no parse cache): ${fmtRatio(r.ratio)} (target ≤ 0.8×: ${pass(r.ratio, 0.8)}); from the parse cache: ${fmtRatio(r.cachedRatio)}`,
    ].join('\n');
  },
  'jest-suite'(r) {
    const rows = [];
    for (const [mode, s] of Object.entries(r.summary)) {
      rows.push([
        mode,
        fmtNum(s.agenttape.medianMs / 1000, 1),
        fmtNum(s.nock.medianMs / 1000, 1),
        fmtNum(s.polly.medianMs / 1000, 1),
        fmtRatio(s.agenttapeVsNock),
        fmtRatio(s.agenttapeVsPolly),
        fmtRatio(s.cpuAgenttapeVsNock),
        fmtRatio(s.cpuAgenttapeVsPolly),
      ]);
    }
    const worst = (key) => Math.max(...Object.values(r.summary).map((s) => s[key]));
    return [
      `Jest suite, ${r.files} files × ${r.requestsPerFile} replayed requests, whole runs, median of ${r.rounds} interleaved rounds`,
      table(['mode', 'agenttape s', 'nock s', 'polly s', 'AT/nock', 'AT/polly', 'AT/nock CPU', 'AT/polly CPU'], rows),
      `Targets AgentTape ≤ 1.0× nock: worst ${fmtRatio(worst('agenttapeVsNock'))} (${pass(worst('agenttapeVsNock'), 1.0)}); ≤ 0.75× Polly: worst ${fmtRatio(worst('agenttapeVsPolly'))} (${pass(worst('agenttapeVsPolly'), 0.75)})`,
    ].join('\n');
  },
  recording(r) {
    const row = (name, x) => [name, x.bareMs.toFixed(3), x.recordingMs.toFixed(3), x.addedMs.toFixed(3)];
    return [
      `Recording: ${r.requests} sequential ~2 KB GETs per round × ${r.rounds} rounds against a loopback server, medians; ${r.recorded} interactions recorded`,
      table(['client', 'bare ms', 'recorded ms', 'added ms'], [row('fetch', r.fetch), row('node:http', r.http)]),
      `Target: recording adds ≤ 1 ms per request: worst ${Math.max(r.fetch.addedMs, r.http.addedMs).toFixed(3)} ms (${pass(Math.max(r.fetch.addedMs, r.http.addedMs), 1)})`,
      `First event of a stream (${r.streams} per round), from the server's write to the client's read: bare ${r.firstChunk.bareMs.toFixed(2)} ms, recorded ${r.firstChunk.recordingMs.toFixed(2)} ms (target ≤ 5 ms: ${pass(r.firstChunk.recordingMs, 5)})`,
    ].join('\n');
  },
  streams(r) {
    return [
      `Streams: ${r.events}-event SSE (${(r.responseBytes / 1024).toFixed(1)} KB) vs one JSON response of the same size through AgentTape, median of ${r.rounds} rounds × ${r.batch}`,
      `SSE is stored as: ${r.sseStoredAs.join(', ')}${r.eventsPreserved ? '' : ' (events are not kept as events yet: the whole stream replays as one body)'}; chunks seen by the http client: SSE ${r.clientChunks.sse}, JSON ${r.clientChunks.json}`,
      table(
        ['client', 'SSE µs', 'JSON µs', 'SSE/JSON', 'SSE/JSON CPU'],
        Object.entries(r.summary).map(([c, s]) => [c, fmtNum(s.sseUs), fmtNum(s.jsonUs), fmtRatio(s.ratio), fmtRatio(s.cpuRatio)]),
      ),
      `Target ≤ 2×: worst ${fmtRatio(Math.max(...Object.values(r.summary).map((s) => s.ratio)))} (${pass(Math.max(...Object.values(r.summary).map((s) => s.ratio)), 2)})`,
      '',
      `A ${r.fifty.chunks}-chunk stream (${(r.fifty.bytes / 1024).toFixed(1)} KB) recorded over ${r.fifty.recordedMs} ms, replayed with the default settings (delays skipped), vs one JSON response of the same size`,
      table(
        ['client', 'stream ms', 'JSON ms', 'stream/JSON', 'of recorded time'],
        Object.entries(r.fifty.byClient).map(([c, s]) => [c, s.streamMs.toFixed(2), s.jsonMs.toFixed(2), fmtRatio(s.ratio), `${(s.ofRecorded * 100).toFixed(2)}%`]),
      ),
      `Target: last chunk within 50 ms of the request: worst ${Math.max(...Object.values(r.fifty.byClient).map((s) => s.streamMs)).toFixed(2)} ms (${Math.max(...Object.values(r.fifty.byClient).map((s) => s.streamMs)) < 50 ? 'met' : 'NOT met'})`,
    ].join('\n');
  },
  memory(r) {
    const lines = [];
    if (r.rss.error) lines.push(`Peak RSS: the replay of a ${(r.rss.fileBytes / 1e6).toFixed(1)} MB cassette failed: ${r.rss.error.split('\n')[0]}`);
    else {
      lines.push(
        `Peak RSS replaying a ${(r.rss.fileBytes / 1e6).toFixed(1)} MB cassette (${r.rss.interactions} interactions, ${r.rss.replayed} replayed), first read: ${(r.rss.maxRSSBytes / 1e6).toFixed(0)} MB = ${fmtRatio(r.rss.rssOverFile)} the file (target ≤ 3×: ${pass(r.rss.rssOverFile, 3)}); ${fmtRatio(r.rss.rssAboveBaselineOverFile)} above the process baseline; open took ${(r.rss.openMs / 1000).toFixed(1)} s`,
        `  read from the parse cache: ${(r.rss.cached.maxRSSBytes / 1e6).toFixed(0)} MB = ${fmtRatio(r.rss.cached.rssOverFile)} the file (${pass(r.rss.cached.rssOverFile, 3)}); open took ${(r.rss.cached.openMs / 1000).toFixed(1)} s`,
      );
    }
    const h = r.heap;
    if (h)
      lines.push(
        `Heap per test file, ${h.files} AgentTape files in one worker (--runInBand --logHeapUsage, GC before each reading): first 10% median ${h.firstTenthMedianMb} MB, last 10% median ${h.lastTenthMedianMb} MB, max ${h.maxMb} MB, slope over the second half ${h.slopeMbPer100FilesSecondHalf.toFixed(1)} MB per 100 files`,
      );
    return lines.join('\n');
  },
  'memory-rss'(r) {
    return REPORTS.memory(r);
  },
};

async function main() {
  const options = parseArgs(process.argv.slice(2));
  fs.mkdirSync(BENCH_TMP, { recursive: true });
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` (or `npm run bench`, which builds first).');
  const started = Date.now();
  const machine = {
    date: new Date().toISOString(),
    node: process.version,
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu: os.cpus()[0]?.model,
    loadavg: os.loadavg(),
    totalMemGb: os.totalmem() / 1e9,
    quick: options.quick,
  };
  const log = (line) => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  log(`AgentTape bench on ${machine.nproc} CPUs, Node ${machine.node}, load ${machine.loadavg.map((l) => l.toFixed(1)).join(' ')}${options.quick ? ' (quick)' : ''}; sections: ${options.only.join(', ')}`);
  const results = { machine, sections: {} };
  const outFile = options.out ?? path.join(BENCH_TMP, 'results.json');
  for (const name of options.only) {
    const sectionStarted = Date.now();
    try {
      results.sections[name] = await SECTIONS[name]().run({ quick: options.quick, log });
      results.sections[name].durationS = (Date.now() - sectionStarted) / 1000;
      console.log(`\n== ${name} ==\n${REPORTS[name](results.sections[name])}`);
    } catch (error) {
      results.sections[name] = { error: String(error.stack || error) };
      console.log(`\n== ${name} ==\nFAILED: ${error.message}`);
      process.exitCode = 1;
    }
    fs.writeFileSync(outFile, JSON.stringify(results, null, 2));
  }
  machine.loadavgAtEnd = os.loadavg();
  machine.durationS = (Date.now() - started) / 1000;
  fs.writeFileSync(outFile, JSON.stringify(results, null, 2));
  console.log(
    `\nTotal ${machine.durationS.toFixed(0)} s; load average at start ${machine.loadavg.map((l) => l.toFixed(1)).join(' ')}, at end ${machine.loadavgAtEnd.map((l) => l.toFixed(1)).join(' ')}. Results: ${path.relative(process.cwd(), outFile)}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
