'use strict';
/** Spawns a whole Jest run in a project folder and times it (spawn to exit). */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { REPO_ROOT } = require('./cache');

const TIME_BIN = '/usr/bin/time';
const JEST_BIN = path.join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION', 'BUILD_NUMBER', 'RUN_ID', 'GITHUB_ACTIONS', 'GITLAB_CI', 'BUILDKITE', 'CIRCLECI', 'TRAVIS', 'JENKINS_URL', 'TF_BUILD'];

function runJest(dir, args, env = {}, nodeArgs = []) {
  const base = { ...process.env };
  for (const name of CI_VARIABLES) delete base[name];
  delete base.AGENTTAPE_MODE;
  delete base.POLLY_MODE;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // /usr/bin/time adds the CPU seconds of the whole process tree (workers included),
    // which the load of other processes on the machine distorts less than wall time.
    const command = [process.execPath, ...nodeArgs, JEST_BIN, '--colors=false', '--ci=false', ...args];
    const timed = fs.existsSync(TIME_BIN);
    const child = timed
      ? spawn(TIME_BIN, ['-f', 'BENCH_CPU %U %S %M', ...command], { cwd: dir, env: { ...base, FORCE_COLOR: '0', ...env } })
      : spawn(command[0], command.slice(1), { cwd: dir, env: { ...base, FORCE_COLOR: '0', ...env } });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('error', reject);
    child.on('close', (status) => {
      const ms = performance.now() - started;
      const cpu = /BENCH_CPU ([\d.]+) ([\d.]+) (\d+)/.exec(output);
      resolve({ status, output, ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN, maxRSSKb: cpu ? Number(cpu[3]) : NaN });
    });
  });
}

/** Throws with the tail of the output when a run did not pass. */
function assertPassed(run, what) {
  if (run.status !== 0) throw new Error(`${what} failed (exit ${run.status}):\n${run.output.slice(-3000)}`);
}

module.exports = { runJest, assertPassed, JEST_BIN };
