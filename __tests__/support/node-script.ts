/**
 * Runs a fixture's `script.js` with Node, as a user runs a script that calls
 * `useCassette`: no AGENTTAPE_MODE and no CI unless `env` sets them.
 */
import { spawn } from 'node:child_process';

/** The outcome of one script run: exit status, and stdout and stderr together. */
export interface ScriptRun {
  status: number | null;
  output: string;
}

/** Runs `node script.js` in `dir`; a variable set to undefined in `env` is removed. */
export function runNodeScript(dir: string, env: Record<string, string | undefined>): Promise<ScriptRun> {
  const child = spawn(process.execPath, ['script.js'], { cwd: dir, env: { ...process.env, AGENTTAPE_MODE: '', CI: '', ...env }, timeout: 60_000 });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}
