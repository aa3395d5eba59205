'use strict';
/**
 * Section: what recording costs. Sequential requests to a loopback server
 * through fetch and node:http, without AgentTape and recorded through it
 * (passed through the client's own transport), and how late the first event
 * of a server-sent stream reaches the client in both cases. Targets: recording
 * adds at most 1 ms per request; the first streamed chunk reaches the client
 * within 5 ms of the server writing it.
 */
const { fork } = require('node:child_process');
const path = require('node:path');

function run({ quick, log }) {
  log('recording: bare vs recorded requests against a loopback server…');
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'worker.js'), quick ? ['--quick'] : [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (message) => (message.error ? reject(new Error(message.error)) : resolve(message)));
    child.once('exit', (code) => code !== 0 && reject(new Error(`recording worker exited with ${code}`)));
  });
}

module.exports = { run };
