'use strict';
/**
 * Section 4: replaying a 500-event SSE stream vs one JSON response of the same
 * total size, through AgentTape. The SSE cassette is built the way recording
 * stores a text/event-stream response today (toStoredResponse), so when
 * recording learns to keep events the benchmark follows. Second part: a
 * 50-chunk stream recorded with 60 ms between chunks (a chat completion as a
 * model streams it, 3 s in all) replayed with the default settings, which skip
 * the delays (target: the last chunk within 50 ms of the request), against one
 * JSON response of the same size.
 */
const { fork } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { BENCH_TMP, REPO_ROOT, hashFiles, cached } = require('../lib/cache');
const { filler, URL: FIXTURE_URL, HOST } = require('../lib/fixtures');
const { median, ratio } = require('../lib/stats');

const EVENTS = 500;
const RECORDINGS = 100;
const FIFTY = 50;
const FIFTY_GAP_MS = 60;

function fiftyEvents(seed) {
  const events = [];
  for (let e = 0; e < FIFTY; e++) events.push(`data: ${JSON.stringify({ id: `fifty-${seed}`, index: e, choices: [{ delta: { content: filler(`f${seed}:${e}`, 8) } }] })}\n\n`);
  return events;
}

function sseText(seed) {
  let out = '';
  for (let e = 0; e < EVENTS; e++) out += `data: ${JSON.stringify({ id: `chunk-${seed}`, index: e, choices: [{ delta: { content: filler(`${seed}:${e}`, 24) } }] })}\n\n`;
  return `${out}data: [DONE]\n\n`;
}

function jsonOfSize(seed, size) {
  const base = { id: `whole-${seed}`, content: '' };
  base.content = filler(`json${seed}`, size - JSON.stringify(base).length);
  return JSON.stringify(base);
}

async function prepare() {
  const { buildDocument, writeCassette, cassetteFile } = require('../lib/agenttape');
  const key = hashFiles(['cassette/cassette-yaml.js', 'cassette/cassette-schema.js', 'http/http-exchange.js', 'redact/redactor.js'].map((f) => path.join(REPO_ROOT, 'dist', f)).concat(__filename));
  const dir = path.join(BENCH_TMP, 'fixtures', 'streams');
  await cached(dir, key, (d) => {
    const expected = { sse: { requests: [], responses: [] }, json: { requests: [], responses: [] } };
    const sse = [];
    const json = [];
    for (let i = 0; i < RECORDINGS; i++) {
      const stream = sseText(i);
      const requestSse = JSON.stringify({ model: 'bench', stream: true, n: i });
      const requestJson = JSON.stringify({ model: 'bench', stream: false, n: i });
      const whole = jsonOfSize(i, Buffer.byteLength(stream));
      sse.push({ requestText: requestSse, responseText: stream });
      json.push({ requestText: requestJson, responseText: whole });
      expected.sse.requests.push(requestSse);
      expected.sse.responses.push(stream);
      expected.json.requests.push(requestJson);
      expected.json.responses.push(whole);
    }
    const fifty = [];
    const fiftyJson = [];
    expected.fifty = { requests: [], responses: [] };
    expected.fiftyJson = { requests: [], responses: [] };
    for (let i = 0; i < RECORDINGS; i++) {
      const events = fiftyEvents(i);
      const stream = events.join('');
      const requestFifty = JSON.stringify({ model: 'bench', stream: true, fifty: i });
      const requestJson = JSON.stringify({ model: 'bench', stream: false, fifty: i });
      const whole = jsonOfSize(`f${i}`, Buffer.byteLength(stream));
      fifty.push({ requestText: requestFifty, responseText: stream, chunks: events.map((text, e) => ({ delayMs: e === 0 ? 0 : FIFTY_GAP_MS, text })) });
      fiftyJson.push({ requestText: requestJson, responseText: whole });
      expected.fifty.requests.push(requestFifty);
      expected.fifty.responses.push(stream);
      expected.fiftyJson.requests.push(requestJson);
      expected.fiftyJson.responses.push(whole);
    }
    writeCassette(path.join(d, 'sse'), buildDocument(sse, { url: FIXTURE_URL, boundary: HOST, responseHeaders: { 'content-type': 'text/event-stream' } }));
    writeCassette(path.join(d, 'json'), buildDocument(json, { url: FIXTURE_URL, boundary: HOST }));
    writeCassette(path.join(d, 'fifty'), buildDocument(fifty, { url: FIXTURE_URL, boundary: HOST, responseHeaders: { 'content-type': 'text/event-stream' } }));
    writeCassette(path.join(d, 'fifty-json'), buildDocument(fiftyJson, { url: FIXTURE_URL, boundary: HOST }));
    fs.writeFileSync(path.join(d, 'expected.json'), JSON.stringify(expected));
  });
  const fiftyCassette = cassetteFile(path.join(dir, 'fifty'));
  const fiftyDoc = require(path.join(REPO_ROOT, 'dist', 'cassette', 'cassette-yaml.js')).parseCassette(fs.readFileSync(fiftyCassette, 'utf8'), fiftyCassette);
  const recordedMs = fiftyDoc.interactions[0].response.sse.reduce((sum, e) => sum + (e.delay_ms ?? 0), 0);
  const sseCassette = cassetteFile(path.join(dir, 'sse'));
  const doc = require(path.join(REPO_ROOT, 'dist', 'cassette', 'cassette-yaml.js')).parseCassette(fs.readFileSync(sseCassette, 'utf8'), sseCassette);
  const storedAs = Object.keys(doc.interactions[0].response).filter((k) => !['status_code', 'headers'].includes(k));
  return { dir, storedAs, responseBytes: Buffer.byteLength(sseText(0)), fiftyRecordedMs: recordedMs, fiftyBytes: Buffer.byteLength(fiftyEvents(0).join('')) };
}

async function run({ quick, log }) {
  const rounds = quick ? 3 : 6;
  const batch = quick ? 30 : 50;
  const prepared = await prepare();
  log(`streams: ${EVENTS}-event SSE (${(prepared.responseBytes / 1024).toFixed(1)} KB) vs JSON of the same size; SSE stored as: ${prepared.storedAs.join(', ')}`);
  const result = await new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'worker.js'), [prepared.dir, path.join(prepared.dir, 'expected.json'), String(rounds), String(batch)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let message;
    child.on('message', (m) => (message = m));
    child.on('exit', (code) => (message?.ok ? resolve(message) : reject(new Error(`streams worker failed (exit ${code}): ${message?.error}`))));
  });
  const summary = {};
  const fifty = {};
  for (const [client, byKind] of Object.entries(result.samples)) {
    const streamUs = median(byKind.fifty.map((s) => s.us));
    const jsonUs = median(byKind.fiftyJson.map((s) => s.us));
    fifty[client] = { streamMs: streamUs / 1000, jsonMs: jsonUs / 1000, ratio: ratio(streamUs, jsonUs), ofRecorded: streamUs / 1000 / prepared.fiftyRecordedMs };
    const sse = median(byKind.sse.map((s) => s.us));
    const json = median(byKind.json.map((s) => s.us));
    const sseCpu = median(byKind.sse.map((s) => s.cpuUs));
    const jsonCpu = median(byKind.json.map((s) => s.cpuUs));
    summary[client] = { sseUs: sse, jsonUs: json, ratio: ratio(sse, json), sseCpuUs: sseCpu, jsonCpuUs: jsonCpu, cpuRatio: ratio(sseCpu, jsonCpu) };
  }
  return {
    fifty: { chunks: FIFTY, recordedMs: prepared.fiftyRecordedMs, bytes: prepared.fiftyBytes, byClient: fifty },
    events: EVENTS,
    responseBytes: prepared.responseBytes,
    sseStoredAs: prepared.storedAs,
    clientChunks: result.chunks,
    rounds,
    batch,
    summary,
    eventsPreserved: !prepared.storedAs.includes('text'),
  };
}

module.exports = { run };
