/**
 * Runs the built `agenttape` binary the way a user does: a separate Node
 * process, arguments as strings, reading stdout, stderr and the exit code.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT, INSTALL_ROOT } from './packed-project';

const CLI_BIN = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');
const PACKED_BIN = path.join(INSTALL_ROOT, 'node_modules', '.bin', 'agenttape');

/** The outcome of one CLI run. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli/main.js …` in a folder. */
export function runAgentTape(args: string[], cwd: string): CliRun {
  const result = spawnSync(process.execPath, [CLI_BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the installed binary (`node_modules/.bin/agenttape` of the packed install). */
export function runPackedAgentTape(args: string[], cwd: string): CliRun {
  const result = spawnSync(PACKED_BIN, args, { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
