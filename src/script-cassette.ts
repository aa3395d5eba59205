/**
 * The implementation behind `useCassette` (see docs/boundaries.md, "Outside Jest"): the engine outside
 * Jest. Loaded only when `useCassette` is called, so importing `agenttape` in
 * a test file stays light. It opens one cassette, `<cassetteDir>/<name>.yaml`,
 * intercepts HTTP for the duration of the function, routes tool wrappers
 * through the same cassette, and saves at the end: the same modes, matching,
 * redaction and partial replay as in Jest.
 */
import * as path from 'node:path';
import { BoundaryRecorder } from './boundaries/boundary-recorder';
import { loadConfig, type AgentTapeConfig } from './config/config';
import { isCiEnvironment, modeFromEnvironment, parseMode } from './config/modes';
import { fillPlaceholderKeys } from './config/placeholder-keys';
import type { CassetteRuntime } from './engine/cassette-runtime';
import { CassetteState } from './engine/cassette-state';
import type { Tape } from './engine/tape';
import { ConfigError } from './errors';
import { FreezeController } from './freeze/freeze-controller';
import { createBlockedRequestReporter, createHttpHandler } from './http/http-handler';
import { HttpInterception } from './http/request-interception';
import { installBridge, readBridge, removeBridge } from './jest/handle-bridge';
import { Redactor } from './redact/redactor';
import type { UseCassetteOptions } from './use-cassette';

/** The runtime behind one `useCassette` call: one tape, one interception. */
class ScriptRuntime implements CassetteRuntime {
  readonly redactor: Redactor;
  readonly boundaries: BoundaryRecorder;

  constructor(
    readonly config: AgentTapeConfig,
    private readonly tape: Tape,
  ) {
    this.redactor = new Redactor(config.redact);
    this.boundaries = new BoundaryRecorder(this);
  }

  currentTape(): Tape {
    return this.tape;
  }

  reportFailure(tape: Tape, error: Error): void {
    if (!tape.failures.includes(error)) tape.failures.push(error);
  }

  boundaryExecuting(): boolean {
    return this.boundaries.executing();
  }
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
  const { rootDir: root, mode, ...configOptions } = options ?? {};
  const rootDir = path.resolve(root ?? process.cwd());
  const where = `useCassette("${name}") options`;
  const config = loadConfig(rootDir, configOptions, where);
  const folder = path.dirname(name);
  const state = new CassetteState({ cassetteDir: config.cassetteDir, rootDir, testPath: path.join(rootDir, folder) }, config, {
    env: modeFromEnvironment(),
    config: config.mode,
    ci: isCiEnvironment(),
  });
  const tape = state.openTest(path.basename(name), 1, mode === undefined ? undefined : parseMode(mode, where));
  const envCommand = `AGENTTAPE_MODE=record node ${path.relative(process.cwd(), process.argv[1] ?? 'your-script.js') || process.argv[1]}`;
  tape.owner.ciRecordCommand = envCommand;
  tape.owner.recordCommand = mode === undefined ? envCommand : `set mode: 'record' in the options of useCassette("${name}") (it is "${mode}") and run the script again`;
  const runtime = new ScriptRuntime(config, tape);
  const interception = new HttpInterception(createHttpHandler(runtime), createBlockedRequestReporter(runtime));
  interception.activate();
  installBridge(globalThis, { currentTape: () => tape, useOptions: () => undefined, boundaries: runtime.boundaries });
  // As in Jest: in replay, SDK clients built inside `fn` construct without real keys.
  const restoreKeys = tape.mode.mode === 'none' ? fillPlaceholderKeys(process.env) : () => undefined;
  // As in Jest, the clock, UUIDs and Math.random are frozen while `fn` runs (see docs/configuration.md, "Freeze"); with no
  // sandbox outside Jest that means the process's own globals, put back when `fn` ends.
  const freeze = new FreezeController(globalThis as unknown as ConstructorParameters<typeof FreezeController>[0], null, config, (message) => console.warn(message), () => tape);
  freeze.install();
  freeze.enter(tape);
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    throw tape.failures[0] ?? error;
  } finally {
    freeze.uninstall();
    restoreKeys();
    removeBridge(globalThis);
    await state.settle();
    interception.deactivate();
    runtime.boundaries.dispose();
    state.save();
  }
  if (tape.failures.length > 0) throw tape.failures[0];
  return result;
}
