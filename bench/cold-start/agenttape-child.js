'use strict';
/**
 * Fresh process: load AgentTape, open the 10 MB cassette, replay the first
 * request. Reports the time since the process started (performance.now()).
 * argv: rootDir expectedBodyFile
 */
const fs = require('node:fs');
const afterBoot = performance.now();
const { AgentTapeSession } = require('../lib/agenttape');
const { httpPost } = require('../lib/clients');
const { ORIGIN, PATH } = require('../lib/fixtures');

(async () => {
  const [rootDir, expectedFile] = process.argv.slice(2);
  const session = new AgentTapeSession(rootDir);
  session.open();
  const loaded = performance.now();
  const expected = JSON.parse(fs.readFileSync(expectedFile, 'utf8'));
  const reply = await httpPost(ORIGIN + PATH, expected.requestText);
  const done = performance.now();
  if (reply.status !== 200 || reply.text !== expected.responseText) throw new Error(`agenttape cold start: wrong reply ${reply.status}`);
  session.close();
  process.send({ ok: true, afterBootMs: afterBoot, loadedMs: loaded, firstResponseMs: done, maxRSSKb: process.resourceUsage().maxRSS });
})().catch((error) => {
  process.send({ ok: false, error: String(error.stack || error) });
});
