'use strict';
/**
 * Section 4 child: replays, through AgentTape, a 500-event SSE response and a
 * JSON response of the same size, then a 50-chunk stream recorded with gaps and
 * a JSON response of its size, alternating batches; reports per-request times
 * and how many chunks the client received.
 * argv: fixtureDir expectedFile rounds batch
 */
const fs = require('node:fs');
const path = require('node:path');
const { AgentTapeSession } = require('../lib/agenttape');
const { fetchPost } = require('../lib/clients');
const { ORIGIN, PATH } = require('../lib/fixtures');
const http = require('node:http');

function httpPostChunks(url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(parts).toString('utf8'), chunks: parts.length }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

(async () => {
  const [fixtureDir, expectedFile, roundsText, batchText] = process.argv.slice(2);
  const expected = JSON.parse(fs.readFileSync(expectedFile, 'utf8'));
  const rounds = Number(roundsText);
  const batch = Number(batchText);
  const roots = { sse: 'sse', json: 'json', fifty: 'fifty', fiftyJson: 'fifty-json' };
  const sessions = Object.fromEntries(Object.entries(roots).map(([kind, folder]) => [kind, new AgentTapeSession(path.join(fixtureDir, folder))]));
  const samples = { http: { sse: [], json: [], fifty: [], fiftyJson: [] }, fetch: { sse: [], json: [], fifty: [], fiftyJson: [] } };
  const chunks = { sse: 0, json: 0, fifty: 0, fiftyJson: 0 };
  const run = async (kind, client, count) => {
    const session = sessions[kind];
    session.open();
    let elapsed = 0n;
    let cpu = 0;
    for (let i = 0; i < count; i++) {
      const body = expected[kind].requests[i];
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      const reply = client === 'http' ? await httpPostChunks(ORIGIN + PATH, body) : await fetchPost(ORIGIN + PATH, body);
      elapsed += process.hrtime.bigint() - t0;
      const c = process.cpuUsage(c0);
      cpu += c.user + c.system;
      if (reply.status !== 200 || reply.text !== expected[kind].responses[i]) {
        throw new Error(`streams ${kind} ${client}: reply #${i} differs from the fixture (${reply.status}) ${session.failures[0]?.message ?? ''}`);
      }
      if (reply.chunks !== undefined) chunks[kind] = reply.chunks;
    }
    session.close();
    return { us: Number(elapsed) / 1e3 / count, cpuUs: cpu / count };
  };
  for (const kind of Object.keys(roots)) await run(kind, 'http', 3);
  for (let r = 0; r < rounds; r++) {
    for (const client of ['http', 'fetch']) {
      for (const kind of r % 2 ? ['json', 'sse'] : ['sse', 'json']) samples[client][kind].push(await run(kind, client, batch));
      for (const kind of r % 2 ? ['fiftyJson', 'fifty'] : ['fifty', 'fiftyJson']) samples[client][kind].push(await run(kind, client, batch));
    }
  }
  process.send({ ok: true, samples, chunks });
})().catch((error) => process.send({ ok: false, error: String(error.stack || error) }));
