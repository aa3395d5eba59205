'use strict';
/** A child process driven by request/response messages over IPC. */
const { fork } = require('node:child_process');

class Child {
  constructor(script, { execArgv = [], env = process.env, label = script } = {}) {
    this.label = label;
    this.proc = fork(script, [], { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.pending = null;
    this.proc.on('message', (message) => {
      const pending = this.pending;
      this.pending = null;
      if (!pending) return;
      if (message.ok) pending.resolve(message);
      else pending.reject(new Error(`${this.label}: ${message.error}`));
    });
    this.proc.on('exit', (code) => {
      if (this.pending) this.pending.reject(new Error(`${this.label} exited with code ${code}`));
      this.pending = null;
    });
  }

  ask(message) {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.proc.send(message);
    });
  }

  async exit() {
    try {
      return await this.ask({ cmd: 'exit' });
    } catch {
      return undefined;
    } finally {
      if (this.proc.exitCode === null) this.proc.kill();
    }
  }
}

module.exports = { Child };
