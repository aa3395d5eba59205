'use strict';
/**
 * Fixture files are costly to build at 10,000 recordings (YAML serialization,
 * Polly recording), so they are kept under .tmp/bench/fixtures and rebuilt when
 * their key changes: the fixture version plus the code that shapes them.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const BENCH_TMP = path.join(REPO_ROOT, '.tmp', 'bench');
const FIXTURE_VERSION = '1';

function hashFiles(files) {
  const hash = crypto.createHash('sha256').update(FIXTURE_VERSION);
  for (const file of files) hash.update(fs.existsSync(file) ? fs.readFileSync(file) : 'missing');
  return hash.digest('hex').slice(0, 16);
}

/** Runs `build(dir)` unless `dir` already holds a build with the same key. */
async function cached(dir, key, build) {
  const marker = path.join(dir, '.bench-key');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === key) return { dir, reused: true };
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  await build(dir);
  fs.writeFileSync(marker, key);
  return { dir, reused: false };
}

module.exports = { REPO_ROOT, BENCH_TMP, FIXTURE_VERSION, hashFiles, cached };
