'use strict';
/**
 * Section 1: per-request replay cost for cassettes of 10, 1,000 and 10,000
 * recordings, recorded and shuffled order, node:http and fetch; bare nock,
 * AgentTape, Polly.js and a loopback server, interleaved round by round.
 */
const path = require('node:path');
const { Child } = require('../lib/child');
const { BENCH_TMP, REPO_ROOT, hashFiles, cached } = require('../lib/cache');
const { makeRecordings, URL: FIXTURE_URL, HOST } = require('../lib/fixtures');
const { median, ratio, rotate } = require('../lib/stats');

const WORKER = path.join(__dirname, 'worker.js');
const VARIANTS = ['nock', 'agenttape', 'polly', 'loopback'];
const COMBOS = [
  { client: 'http', order: 'recorded' },
  { client: 'http', order: 'shuffled' },
  { client: 'fetch', order: 'recorded' },
  { client: 'fetch', order: 'shuffled' },
];

async function prepareAgentTape(size) {
  const { buildDocument, writeCassette } = require('../lib/agenttape');
  const key = hashFiles(
    ['cassette/cassette-yaml.js', 'cassette/cassette-schema.js', 'http/http-exchange.js', 'redact/redactor.js', 'engine/canonical-request.js']
      .map((f) => path.join(REPO_ROOT, 'dist', f))
      .concat(path.join(__dirname, '..', 'lib', 'fixtures.js')),
  );
  return cached(path.join(BENCH_TMP, 'fixtures', `agenttape-${size}`), key, (dir) => {
    writeCassette(dir, buildDocument(makeRecordings(size), { url: FIXTURE_URL, boundary: HOST }));
  });
}

async function preparePolly(size, log) {
  const key = hashFiles([path.join(__dirname, '..', 'lib', 'fixtures.js'), path.join(REPO_ROOT, 'node_modules', '@pollyjs', 'core', 'package.json')]);
  return cached(path.join(BENCH_TMP, 'fixtures', `polly-${size}`), key, async (dir) => {
    log(`  recording the Polly HAR for ${size} recordings…`);
    const child = new Child(WORKER, { label: 'polly-record' });
    try {
      await child.ask({ cmd: 'setup', variant: 'polly-record', size, pollyDir: dir });
    } finally {
      await child.exit();
    }
  });
}

/** Runs the section; returns { rows, results }. */
async function run({ quick, log }) {
  const sizes = quick ? [10, 1000] : [10, 1000, 10000];
  const rounds = quick ? 3 : 5;
  const budgetMs = quick ? 150 : 300;
  const maxRequests = quick ? 150 : 300;
  const results = { sizes, rounds, budgetMs, maxRequests, interception: require('../lib/agenttape').interceptionModule(), data: {} };
  results.nockTimerFloor = await require('../lib/timer-floor').measureTimerFloor();
  log(`per-request: nock's playback timer chain alone (setImmediate → setTimeout 0 → setTimeout 0) takes ${results.nockTimerFloor.medianUs.toFixed(0)} µs (median)`);
  results.fetchFloor = await require('../lib/fetch-floor').measureFetchFloor();
  log(`per-request: Node's fetch answered at once by a bare dispatcher takes ${results.fetchFloor.medianUs.toFixed(0)} µs (median)`);
  for (const size of sizes) {
    log(`per-request: ${size} recordings — preparing fixtures`);
    const started = Date.now();
    const at = await prepareAgentTape(size);
    const polly = await preparePolly(size, log);
    log(`  fixtures ready in ${((Date.now() - started) / 1000).toFixed(1)} s (agenttape ${at.reused ? 'cached' : 'built'}, polly ${polly.reused ? 'cached' : 'recorded'})`);
    const children = {};
    for (const variant of VARIANTS) children[variant] = new Child(WORKER, { label: `${variant}@${size}` });
    try {
      const setups = await Promise.all(VARIANTS.map((variant) => children[variant].ask({ cmd: 'setup', variant, size, dir: at.dir, pollyDir: polly.dir })));
      log(`  setup: ${VARIANTS.map((v, i) => `${v} ${(setups[i].setupMs / 1000).toFixed(1)} s`).join(', ')}`);
      const samples = {};
      for (let r = 0; r < rounds; r++) {
        for (const [c, combo] of COMBOS.entries()) {
          for (const variant of rotate(VARIANTS, r + c)) {
            const reply = await children[variant].ask({ cmd: 'round', ...combo, maxRequests, budgetMs });
            const key = `${combo.client}/${combo.order}`;
            ((samples[key] ??= {})[variant] ??= []).push({ us: reply.perRequestUs, cpu: reply.cpuPerRequestUs, n: reply.count });
          }
        }
      }
      const rss = {};
      for (const variant of VARIANTS) rss[variant] = (await children[variant].exit())?.maxRSSKb;
      const data = {};
      for (const [key, byVariant] of Object.entries(samples)) {
        data[key] = {};
        for (const [variant, list] of Object.entries(byVariant)) {
          data[key][variant] = {
            medianUs: median(list.map((s) => s.us)),
            medianCpuUs: median(list.map((s) => s.cpu)),
            rounds: list.map((s) => s.us),
            cpuRounds: list.map((s) => s.cpu),
            requests: list.reduce((a, s) => a + s.n, 0),
          };
        }
      }
      results.data[size] = { combos: data, setupMs: Object.fromEntries(VARIANTS.map((v, i) => [v, setups[i].setupMs])), maxRSSKb: rss };
    } finally {
      for (const child of Object.values(children)) if (child.proc.exitCode === null) child.proc.kill();
    }
  }
  // Derived ratios.
  const rows = [];
  const smallest = sizes[0];
  const largest = sizes[sizes.length - 1];
  for (const size of sizes) {
    for (const combo of COMBOS) {
      const key = `${combo.client}/${combo.order}`;
      const d = results.data[size].combos[key];
      const base = d.nock.medianUs;
      const scale = ratio(d.agenttape.medianUs, results.data[smallest].combos[key].agenttape.medianUs);
      const cpuBase = d.nock.medianCpuUs;
      rows.push({
        size,
        client: combo.client,
        order: combo.order,
        nockUs: base,
        agenttapeUs: d.agenttape.medianUs,
        pollyUs: d.polly.medianUs,
        loopbackUs: d.loopback.medianUs,
        agenttapeVsNock: ratio(d.agenttape.medianUs, base),
        pollyVsNock: ratio(d.polly.medianUs, base),
        loopbackVsNock: ratio(d.loopback.medianUs, base),
        agenttapeVsSmallest: scale,
        cpu: {
          nockUs: cpuBase,
          agenttapeUs: d.agenttape.medianCpuUs,
          pollyUs: d.polly.medianCpuUs,
          loopbackUs: d.loopback.medianCpuUs,
          agenttapeVsNock: ratio(d.agenttape.medianCpuUs, cpuBase),
          pollyVsNock: ratio(d.polly.medianCpuUs, cpuBase),
          loopbackVsNock: ratio(d.loopback.medianCpuUs, cpuBase),
          agenttapeVsSmallest: ratio(d.agenttape.medianCpuUs, results.data[smallest].combos[key].agenttape.medianCpuUs),
        },
      });
    }
  }
  results.rows = rows;
  results.targets = {
    agenttapeVsNockMax: Math.max(...rows.map((r) => r.agenttapeVsNock)),
    agenttapeScalingMax: Math.max(...rows.filter((r) => r.size === largest).map((r) => r.agenttapeVsSmallest)),
    cpuAgenttapeVsNockMax: Math.max(...rows.map((r) => r.cpu.agenttapeVsNock)),
    cpuAgenttapeScalingMax: Math.max(...rows.filter((r) => r.size === largest).map((r) => r.cpu.agenttapeVsSmallest)),
  };
  return results;
}

module.exports = { run, VARIANTS, COMBOS };
