'use strict';
/** Spawns a whole Jest run in a project folder and times it (spawn to exit). */
const { spawn } = require('node:child_process');
const path = require('node:path');
const { REPO_ROOT } = require('./cache');

const JEST_BIN = path.join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION', 'BUILD_NUMBER', 'RUN_ID', 'GITHUB_ACTIONS', 'GITLAB_CI', 'BUILDKITE', 'CIRCLECI', 'TRAVIS', 'JENKINS_URL', 'TF_BUILD'];

function runJest(dir, args, env = {}) {
  const base = { ...process.env };
  for (const name of CI_VARIABLES) delete base[name];
  delete base.AGENTTAPE_MODE;
  delete base.POLLY_MODE;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [JEST_BIN, '--colors=false', '--ci=false', ...args], { cwd: dir, env: { ...base, FORCE_COLOR: '0', ...env } });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output, ms: performance.now() - started }));
  });
}

/** Throws with the tail of the output when a run did not pass. */
function assertPassed(run, what) {
  if (run.status !== 0) throw new Error(`${what} failed (exit ${run.status}):\n${run.output.slice(-3000)}`);
}

module.exports = { runJest, assertPassed, JEST_BIN };
