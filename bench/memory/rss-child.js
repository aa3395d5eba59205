'use strict';
/**
 * Section 5a child: opens a large cassette through AgentTape, replays `count`
 * requests (checked against the fixture), and reports peak RSS.
 * argv: rootDir count
 */
const afterBoot = process.resourceUsage().maxRSS;
const { AgentTapeSession } = require('../lib/agenttape');
const { httpPost } = require('../lib/clients');
const { ORIGIN, PATH } = require('../lib/fixtures');
const { memoryRecordings } = require('./fixtures');

(async () => {
  const [rootDir, countText] = process.argv.slice(2);
  const count = Number(countText);
  const expected = memoryRecordings(count);
  const session = new AgentTapeSession(rootDir);
  const t0 = performance.now();
  session.open();
  const opened = performance.now();
  for (const r of expected) {
    const reply = await httpPost(ORIGIN + PATH, r.requestText);
    if (reply.status !== 200 || reply.text !== r.responseText) throw new Error(`memory: reply #${r.i} differs from the fixture (${reply.status})`);
  }
  const replayed = performance.now();
  session.close();
  process.send({ ok: true, baselineRSSKb: afterBoot, maxRSSKb: process.resourceUsage().maxRSS, openMs: opened - t0, replayMs: replayed - opened, heapUsedMb: process.memoryUsage().heapUsed / 1e6 });
})().catch((error) => process.send({ ok: false, error: String(error.stack || error) }));
