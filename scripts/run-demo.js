#!/usr/bin/env node
/**
 * Runs the example agent's Jest suite from examples/weather-agent against its
 * committed cassettes: offline, with no API key. With `--record`, starts the
 * example's fake services and re-records the cassettes instead.
 *
 * The example consumes this repository's build through a link at
 * examples/weather-agent/node_modules/agenttape, as `npm install ../..` would.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const example = path.join(root, 'examples', 'weather-agent');
const link = path.join(example, 'node_modules', 'agenttape');
fs.mkdirSync(path.dirname(link), { recursive: true });
if (!fs.existsSync(link)) fs.symlinkSync(path.relative(path.dirname(link), root), link, 'dir');

const record = process.argv.includes('--record');
const env = { ...process.env, OPENAI_BASE_URL: 'http://127.0.0.1:18080/v1', WEATHER_URL: 'http://127.0.0.1:18081' };
if (!record) {
  delete env.AGENTTAPE_MODE;
  delete env.OPENAI_API_KEY;
}

async function main() {
  let server;
  if (record) {
    server = await require(path.join(example, 'fake-services.js')).start();
    env.AGENTTAPE_MODE = 'record';
    // The openai client needs some key to construct; the local stand-ins accept any.
    env.OPENAI_API_KEY = env.OPENAI_API_KEY || 'demo-recording-key';
  }
  const jest = path.join(path.dirname(require.resolve('jest/package.json', { paths: [root] })), 'bin', 'jest.js');
  // Asynchronous: the fake services run in this process and must keep answering.
  const child = spawn(process.execPath, [jest, ...process.argv.slice(2).filter((a) => a !== '--record')], { cwd: example, env, stdio: 'inherit' });
  child.on('close', (status) => {
    if (server) server.close();
    process.exit(status ?? 1);
  });
}

main();
