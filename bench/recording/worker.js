'use strict';
/**
 * Recording cost, measured in one process against a loopback server: the same
 * requests with no interception, then recorded through AgentTape's real handler
 * in `record` mode (passed through the client's own transport, the response
 * copied to the tape), alternated in rounds so drift hits both alike.
 * Sends { perRequest, firstChunk } to the parent.
 */
const http = require('node:http');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { modules, location, TEST_NAME } = require('../lib/agenttape');
const { median } = require('../lib/stats');

const quick = process.argv.includes('--quick');
const REQUESTS = quick ? 150 : 400;
const ROUNDS = quick ? 3 : 5;
const STREAMS = quick ? 10 : 25;
const GAP_MS = 25;
const BODY = JSON.stringify({ answer: 'x'.repeat(2000) });

function startServer() {
  const writes = new Map();
  const server = http.createServer((req, res) => {
    if (req.url.startsWith('/sse/')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const times = [];
      writes.set(req.url, times);
      let n = 0;
      const next = () => {
        times.push(performance.now());
        res.write(`data: {"n":${n}}\n\n`);
        if (++n === 4) return res.end();
        setTimeout(next, GAP_MS);
      };
      // The first event goes out after a gap too, so the client is waiting for it.
      setTimeout(next, GAP_MS);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
    res.end(BODY);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, writes, base: `http://127.0.0.1:${server.address().port}` })));
}

const agent = new http.Agent({ keepAlive: true });
function viaHttp(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        res.on('data', () => undefined);
        res.on('end', resolve);
      })
      .on('error', reject);
  });
}
async function viaFetch(url) {
  await (await fetch(url)).arrayBuffer();
}

async function timeRequests(client, base, label) {
  const times = [];
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    await client(`${base}/json/${label}/${i}`);
    times.push(performance.now() - started);
  }
  return median(times);
}

async function firstChunkLag(base, writes, label) {
  const lags = [];
  for (let i = 0; i < STREAMS; i++) {
    const url = `/sse/${label}/${i}`;
    const response = await fetch(base + url);
    const reader = response.body.getReader();
    await reader.read();
    const received = performance.now();
    lags.push(received - writes.get(url)[0]);
    while (!(await reader.read()).done);
  }
  return median(lags);
}

/** Opens a tape in `record` mode and intercepts with the real handler, as the environment does. */
function startRecording(root) {
  const m = modules();
  const config = m.config.loadConfig(root, undefined);
  const state = new m.state.CassetteState(location(root), config, { ci: false, env: 'record' }, new m.redactor.Redactor(config.redact));
  const tape = state.openTest(TEST_NAME);
  const runtime = { currentTape: () => tape, config, redactor: new m.redactor.Redactor(config.redact), reportFailure: () => undefined };
  const interception = new m.interception.HttpInterception(m.handler.createHttpHandler(runtime));
  interception.activate();
  return { tape, stop: () => interception.deactivate() };
}

(async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-bench-recording-'));
  const { server, writes, base } = await startServer();
  const results = { fetch: { bare: [], recording: [] }, http: { bare: [], recording: [] }, lag: { bare: [], recording: [] }, recorded: 0 };
  // Warm both paths once.
  await timeRequests(viaFetch, base, 'warm');
  for (let round = 0; round < ROUNDS; round++) {
    results.fetch.bare.push(await timeRequests(viaFetch, base, `bare${round}`));
    results.http.bare.push(await timeRequests(viaHttp, base, `bare${round}`));
    results.lag.bare.push(await firstChunkLag(base, writes, `bare${round}`));
    const recording = startRecording(root);
    results.fetch.recording.push(await timeRequests(viaFetch, base, `rec${round}`));
    results.http.recording.push(await timeRequests(viaHttp, base, `rec${round}`));
    results.lag.recording.push(await firstChunkLag(base, writes, `rec${round}`));
    await recording.tape.settled();
    results.recorded += recording.tape.timeline.filter((entry) => entry.source === 'recorded').length;
    recording.stop();
  }
  server.close();
  agent.destroy();
  fs.rmSync(root, { recursive: true, force: true });
  const summary = (pair) => ({ bareMs: median(pair.bare), recordingMs: median(pair.recording), addedMs: median(pair.recording) - median(pair.bare) });
  process.send({ requests: REQUESTS, rounds: ROUNDS, streams: STREAMS, fetch: summary(results.fetch), http: summary(results.http), firstChunk: summary(results.lag), recorded: results.recorded });
})().catch((error) => {
  process.send({ error: error.stack });
});
