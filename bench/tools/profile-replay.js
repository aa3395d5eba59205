#!/usr/bin/env node
'use strict';
/**
 * Where does per-request replay time go? Replays the 1,000-recording fixture
 * (built by the per-request section) with the V8 CPU profiler (node:inspector)
 * running only while requests are replayed (cassette loading and interceptor
 * setup are left out), and prints self time by area: nock's own code,
 * @mswjs/interceptors, AgentTape's dist, node internals, GC.
 *
 * usage: node bench/tools/profile-replay.js [agenttape|nock] [http|fetch] [requests]
 *        (run `node bench/run.js --quick --only per-request` once first, for the fixtures)
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { BENCH_TMP } = require('../lib/cache');
const { summarize, buckets } = require('./profile-summary');

const [variant = 'agenttape', client = 'http', requestsText = '3000'] = process.argv.slice(2);

if (process.env.BENCH_PROFILE_CHILD === '1') {
  const { makeRecordings, ORIGIN, PATH } = require('../lib/fixtures');
  const { CLIENTS } = require('../lib/clients');
  const size = 1000;
  const recordings = makeRecordings(size);
  const send = CLIENTS[client];
  let reset;
  if (variant === 'agenttape') {
    const { AgentTapeSession } = require('../lib/agenttape');
    const session = new AgentTapeSession(path.join(BENCH_TMP, 'fixtures', `agenttape-${size}`));
    reset = () => session.open();
  } else {
    const nock = require('nock');
    reset = () => {
      nock.cleanAll();
      const scope = nock(ORIGIN);
      for (const r of recordings) scope.post(PATH, r.requestObj).reply(200, r.responseObj);
    };
  }
  const inspector = require('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  (async () => {
    const total = Number(requestsText);
    let inReplay = 0;
    let replayUs = 0;
    const profiles = [];
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 200 });
    for (let done = 0; done < total;) {
      reset();
      await post('Profiler.start');
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < size && done < total; i++, done++) {
        const reply = await send(ORIGIN + PATH, recordings[i].requestText);
        if (reply.text !== recordings[i].responseText) throw new Error(`reply #${i} differs from the fixture`);
        inReplay++;
      }
      replayUs += Number(process.hrtime.bigint() - t0) / 1e3;
      profiles.push((await post('Profiler.stop')).profile);
    }
    fs.writeFileSync(process.env.BENCH_PROFILE_OUT, JSON.stringify({ requests: inReplay, profiles }));
    console.log(`${variant} ${client}: ${inReplay} requests, ${(replayUs / inReplay).toFixed(0)} µs per request (wall, profiler on)`);
  })();
} else {
  fs.mkdirSync(path.join(BENCH_TMP, 'profiles'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(BENCH_TMP, 'profiles', `${variant}-${client}-`));
  const out = path.join(dir, 'profiles.json');
  const run = spawnSync(process.execPath, [__filename, variant, client, requestsText], { env: { ...process.env, BENCH_PROFILE_CHILD: '1', BENCH_PROFILE_OUT: out }, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
  const { requests, profiles } = JSON.parse(fs.readFileSync(out, 'utf8'));
  // Concatenate the segments into one profile (node ids are per segment, so renumber).
  const merged = { nodes: [], samples: [], timeDeltas: [] };
  profiles.forEach((profile, k) => {
    const offset = k * 1e6;
    for (const node of profile.nodes) merged.nodes.push({ ...node, id: node.id + offset });
    merged.samples.push(...profile.samples.map((id) => id + offset));
    merged.timeDeltas.push(...profile.timeDeltas);
  });
  const summary = summarize(merged, 30);
  const b = buckets(summary);
  const total = Object.values(b).reduce((a, v) => a + v, 0);
  console.log(`profile of the replay window only: ${requests} requests, busy ${summary.totalBusyMs.toFixed(0)} ms = ${((summary.totalBusyMs * 1000) / requests).toFixed(0)} µs CPU per request (profiler on)`);
  for (const [k, ms] of Object.entries(b)
    .sort((x, y) => y[1] - x[1])
    .slice(0, 14))
    console.log(`${((ms / total) * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms  ${((ms * 1000) / requests).toFixed(0).padStart(5)} µs/req  ${k}`);
  console.log('\nby file/area:');
  for (const r of summary.byArea.slice(0, 25)) console.log(`${(r.share * 100).toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(7)} ms  ${r.area}`);
  console.log('\ntop functions (self):');
  for (const r of summary.topFunctions) console.log(`${(r.share * 100).toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(7)} ms  ${r.fn}`);
}
