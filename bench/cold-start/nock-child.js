'use strict';
/**
 * Fresh process: load nock, parse the same interactions from JSON, define one
 * interceptor per interaction (nock.define), replay the first request.
 * argv: definitionsFile expectedBodyFile
 */
const fs = require('node:fs');
const afterBoot = performance.now();
const nock = require('nock');
const { httpPost } = require('../lib/clients');
const { ORIGIN, PATH } = require('../lib/fixtures');

(async () => {
  const [definitionsFile, expectedFile] = process.argv.slice(2);
  nock.define(JSON.parse(fs.readFileSync(definitionsFile, 'utf8')));
  const loaded = performance.now();
  const expected = JSON.parse(fs.readFileSync(expectedFile, 'utf8'));
  const reply = await httpPost(ORIGIN + PATH, expected.requestText);
  const done = performance.now();
  if (reply.status !== 200 || reply.text !== expected.responseText) throw new Error(`nock cold start: wrong reply ${reply.status}`);
  process.send({ ok: true, afterBootMs: afterBoot, loadedMs: loaded, firstResponseMs: done, maxRSSKb: process.resourceUsage().maxRSS });
})().catch((error) => {
  process.send({ ok: false, error: String(error.stack || error) });
});
