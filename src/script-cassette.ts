/**
 * The implementation behind `useCassette` (see docs/boundaries.md, "Outside
 * Jest"): a `CassetteSession` on the process's own global, opened around one
 * function — open, run, close. Loaded only when `useCassette` is called, so
 * importing `agenttape` in a test file stays light.
 */
import * as path from 'node:path';
import { loadConfig, type UseCassetteOptions } from './config/config';
import { parseMode, type Mode } from './config/modes';
import type { TapeOwner } from './engine/tape';
import { ConfigError } from './errors';
import type { HostAdvice } from './report/miss-report';
import { CassetteSession } from './session/cassette-session';
import { readBridge } from './session/session-bridge';

/**
 * What a script is told to do: record through `AGENTTAPE_MODE` (the one way in
 * CI), or change the mode its options set.
 */
function scriptAdvice(name: string, mode: Mode | undefined): HostAdvice {
  const script = path.relative(process.cwd(), process.argv[1] ?? 'your-script.js') || process.argv[1];
  const envCommand = `AGENTTAPE_MODE=record node ${script}`;
  return {
    recordCommand: (_owner: TapeOwner) => (mode === undefined ? envCommand : `set mode: 'record' in the options of useCassette("${name}") (it is "${mode}") and run the script again`),
    ciRecordCommand: () => envCommand,
    inCi: 'the script runs in CI (the CI variable)',
    docblock: 'docblock',
    goLive: (token) => `live: [${JSON.stringify(token)}] in the options of useCassette("${name}"), or cassette.use({ live: [${JSON.stringify(token)}] }) inside it`,
    frozenSettings: `the options of useCassette("${name}"), cassette.use({ frozen }) or agenttape.config.json`,
  };
}

/**
 * Runs `fn` inside one cassette; see `useCassette` for the contract.
 *
 * @example
 * const answer = await runInCassette('weather/london', { mode: 'once' }, () => runAgent('Weather in London?'));
 */
export async function runInCassette<T>(name: string, options: UseCassetteOptions, fn: () => T | Promise<T>): Promise<T> {
  if (typeof name !== 'string' || name.trim() === '') throw new ConfigError(`useCassette() needs a cassette name as first argument, got ${JSON.stringify(name)}.`);
  if (typeof fn !== 'function') throw new ConfigError(`useCassette("${name}") needs a function as third argument, got ${typeof fn}.`);
  if (readBridge(globalThis)) {
    throw new ConfigError(
      `useCassette("${name}") was called while a cassette is already active (another useCassette, or a test in the AgentTape Jest environment). ` +
        `HTTP interception is process-wide: run useCassette calls one after another, and inside Jest use the \`cassette\` handle instead.`,
    );
  }
  const { rootDir: root, mode: optionMode, ...configOptions } = options ?? {};
  const rootDir = path.resolve(root ?? process.cwd());
  const where = `useCassette("${name}") options`;
  const config = loadConfig(rootDir, configOptions, where);
  const mode = optionMode === undefined ? undefined : parseMode(optionMode, where);
  const session = new CassetteSession({
    rootDir,
    // The name's folders are subfolders of cassetteDir, as a test file's path is.
    testPath: path.join(rootDir, path.dirname(name)),
    config,
    advice: scriptAdvice(name, optionMode),
    // With no sandbox outside Jest, the freeze and placeholder keys apply to the process's own globals, given back at close.
    global: globalThis,
    fakeTimers: null,
  });
  const tape = session.openTest(path.basename(name), 1, mode);
  session.startTest(tape);
  session.open();
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    throw tape.failures[0] ?? error;
  } finally {
    await session.close();
  }
  if (tape.failures.length > 0) throw tape.failures[0];
  return result;
}
