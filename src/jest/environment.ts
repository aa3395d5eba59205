/**
 * The AgentTape Jest environment: a Node environment in which every HTTP
 * request goes through the cassette of the running test. It is a thin
 * adapter: the engine decides, the interception carries requests, and this
 * class only tells them which test is running.
 */
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import NodeEnvironment from 'jest-environment-node';
import { AsyncLocalStorage } from 'node:async_hooks';
import * as path from 'node:path';
import { BoundaryRecorder } from '../boundaries/boundary-recorder';
import { applyOptions, loadConfig, type AgentTapeConfig } from '../config/config';
import { modeFromEnvironment, parseMode } from '../config/modes';
import { fillPlaceholderKeys } from '../config/placeholder-keys';
import type { CassetteRuntime } from '../engine/cassette-runtime';
import { CassetteState } from '../engine/cassette-state';
import { partialReplayFor, withPartialPragmas } from '../engine/partial-options';
import type { Tape } from '../engine/tape';
import { FreezeController } from '../freeze/freeze-controller';
import { createBlockedRequestReporter, createHttpHandler } from '../http/http-handler';
import { guardLateRequests } from '../http/late-request-guard';
import { HttpInterception } from '../http/request-interception';
import { Redactor } from '../redact/redactor';
import { countUsage, writeTestFileUsage } from '../usage/cassette-usage';
import type { CassetteUseOptions } from './cassette-handle';
import { installBridge } from './handle-bridge';
import { UninterceptableRequestError } from '../errors';

export { PLACEHOLDER_API_KEY, PROVIDER_KEY_VARIABLES } from '../config/placeholder-keys';

/** The full name Jest shows for a test: its describe blocks and its own name. */
function fullTestName(test: Circus.TestEntry): string {
  const names: string[] = [];
  let block: Circus.DescribeBlock | Circus.TestEntry | undefined = test;
  while (block && block.name !== 'ROOT_DESCRIBE_BLOCK') {
    names.unshift(block.name);
    block = block.parent;
  }
  return names.join(' ');
}

function errorAlreadyReported(test: Circus.TestEntry, error: Error): boolean {
  return test.errors.some((entry) => entry === error || (Array.isArray(entry) && entry[0] === error));
}

/**
 * The environment Jest runs test files in under `preset: 'agenttape'`.
 *
 * @example
 * // jest.config.js
 * module.exports = { testEnvironment: 'agenttape/environment' };
 */
export default class AgentTapeEnvironment extends NodeEnvironment implements CassetteRuntime {
  readonly config: AgentTapeConfig;
  readonly redactor: Redactor;
  private readonly state: CassetteState;
  private readonly interception: HttpInterception;
  private readonly occurrences = new Map<string, number>();
  private readonly testOccurrence = new WeakMap<Circus.TestEntry, number>();
  /** The tape of the running sequential test; hooks and the test body use it. */
  private testTape: Tape | undefined;
  /** Tapes of the tests that have started and not finished (several under test.concurrent). */
  private readonly runningTapes = new Map<Circus.TestEntry, Tape>();
  /** The tape of the concurrent test whose code is running, carried along its async calls. */
  private readonly concurrentTape = new AsyncLocalStorage<Tape>();
  private readonly originalTestFns = new WeakMap<Circus.TestEntry, Circus.TestFn>();
  private readonly boundaries = new BoundaryRecorder(this);
  private freeze: FreezeController | undefined;
  private readonly skippedTests: string[] = [];
  private runFinished = false;
  /** Set at teardown: from then on the sandbox's fetch refuses instead of reaching the network. */
  private tornDown = false;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    const { agenttape, ...jestOptions } = config.projectConfig.testEnvironmentOptions as { agenttape?: unknown };
    // Every key of testEnvironmentOptions becomes a sandbox global: hide ours.
    super({ ...config, projectConfig: { ...config.projectConfig, testEnvironmentOptions: jestOptions } }, context);
    const { rootDir } = config.projectConfig;
    this.config = withPartialPragmas(loadConfig(rootDir, agenttape), context.docblockPragmas, path.relative(rootDir, context.testPath), rootDir);
    this.redactor = new Redactor(this.config.redact);
    const pragma = context.docblockPragmas['agenttape-mode'];
    this.state = new CassetteState(
      { cassetteDir: this.config.cassetteDir, rootDir, testPath: context.testPath },
      this.config,
      {
        docblock: pragma === undefined ? undefined : parseMode(Array.isArray(pragma) ? pragma[0] : pragma, `the @agenttape-mode docblock of ${path.relative(rootDir, context.testPath)}`),
        env: modeFromEnvironment(),
        config: this.config.mode,
        ci: config.globalConfig.ci,
      },
    );
    this.interception = new HttpInterception(createHttpHandler(this), createBlockedRequestReporter(this));
  }

  override async setup(): Promise<void> {
    await super.setup();
    this.interception.activate([this.global]);
    // Jest copied the sandbox's fetch before interception patched it: hand it the patched one,
    // behind a gate. SDK clients keep the fetch they were built with, and a retry timer can fire
    // after teardown, when the interceptor is gone and that patched fetch would go to the network.
    this.global.fetch = this.gatedFetch(globalThis.fetch);
    // The sandbox's own copy of the environment: nothing to restore at teardown.
    if (this.state.openFileScope().mode.mode === 'none') fillPlaceholderKeys(this.global.process.env);
    installBridge(this.global, {
      currentTape: () => this.currentTape(),
      useOptions: (options: CassetteUseOptions) => this.useOptions(options),
      boundaries: this.boundaries,
    });
    this.freeze = new FreezeController(this.global, this.fakeTimersModern, this.config, (message) => this.global.console.warn(message), () => this.currentTape());
    this.freeze.install();
    this.freeze.enter(this.state.openFileScope());
  }

  override async teardown(): Promise<void> {
    await this.state.settle();
    this.tornDown = true;
    this.interception.deactivate();
    guardLateRequests(this.global as unknown as { Object: ObjectConstructor }, (description) => this.lateRequestError(description));
    this.freeze?.uninstall();
    // An enabled async context storage stays in a process-wide list that every later promise in this worker pays for.
    this.concurrentTape.disable();
    this.boundaries.dispose();
    this.state.save();
    this.writeUsage();
    await super.teardown();
  }

  /** Called by jest-circus, awaited, for every test lifecycle event. */
  handleTestEvent(event: Circus.AsyncEvent, circusState: Circus.State): void {
    switch (event.name) {
      case 'hook_start':
      case 'test_fn_start':
        // nock required by the test file, or msw's server.listen() in a hook, patched after us: their mocks answer first.
        this.interception.yieldToLaterMocks();
        break;
      case 'test_start': {
        const name = fullTestName(event.test);
        let occurrence = this.testOccurrence.get(event.test);
        if (occurrence === undefined) {
          occurrence = (this.occurrences.get(name) ?? 0) + 1;
          this.occurrences.set(name, occurrence);
          this.testOccurrence.set(event.test, occurrence);
        }
        const tape = this.state.openTest(name, occurrence);
        this.runningTapes.set(event.test, tape);
        // Concurrent tests overlap, so "the running test" is not one slot: each carries its tape.
        if (event.test.concurrent) this.bindTestToTape(event.test, tape);
        else this.testTape = tape;
        this.freeze?.enter(tape);
        break;
      }
      case 'test_done': {
        const tape = this.runningTapes.get(event.test);
        this.runningTapes.delete(event.test);
        if (this.testTape === tape) this.testTape = undefined;
        this.freeze?.enter(this.state.openFileScope());
        for (const error of tape?.failures ?? []) {
          if (!errorAlreadyReported(event.test, error)) event.test.errors.push(error);
        }
        break;
      }
      case 'test_skip':
      case 'test_todo':
        this.skippedTests.push(fullTestName(event.test));
        break;
      case 'run_finish': {
        this.runFinished = true;
        for (const error of this.state.openFileScope().failures) circusState.unhandledErrors.push(error);
        break;
      }
      default:
        break;
    }
  }

  /**
   * The sandbox's fetch: the intercepted one while this file runs, and after
   * teardown a refusal, so a request a test left behind (an SDK's retry timer,
   * a promise nobody awaited) is never sent unrecorded.
   */
  private gatedFetch(intercepted: typeof fetch): typeof fetch {
    const environment = this;
    return function fetch(input: Parameters<typeof globalThis.fetch>[0], init?: RequestInit): Promise<Response> {
      if (!environment.tornDown) return intercepted(input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      return Promise.reject(environment.lateRequestError(`${init?.method ?? (typeof input === 'object' && 'method' in input ? input.method : 'GET')} ${url}`));
    } as typeof fetch;
  }

  /** The refusal of a request made after this file finished, through fetch or node:http. */
  private lateRequestError(description: string): UninterceptableRequestError {
    const testPath = path.relative(this.state.location.rootDir, this.state.location.testPath);
    return new UninterceptableRequestError(
      `AgentTape blocked ${description}: it was made after the test file ${testPath} finished ` +
        '(a retry timer or a promise nobody awaited), when no cassette is open. Nothing was sent. Await every request inside its test.',
    );
  }

  currentTape(): Tape {
    return this.concurrentTape.getStore() ?? this.testTape ?? this.state.openFileScope();
  }

  /**
   * Runs a concurrent test's function inside an async context holding its tape,
   * so every request it makes — whenever it runs — goes to its own cassette.
   * The wrapper keeps the function's arity (Jest reads it to spot a `done` callback).
   */
  private bindTestToTape(test: Circus.TestEntry, tape: Tape): void {
    const original = this.originalTestFns.get(test) ?? test.fn;
    this.originalTestFns.set(test, original);
    const context = this.concurrentTape;
    test.fn =
      original.length > 0
        ? function (this: unknown, done: unknown) {
            return context.run(tape, () => (original as (this: unknown, done: unknown) => unknown).call(this, done));
          } as Circus.TestFn
        : (function (this: unknown) {
            return context.run(tape, () => (original as (this: unknown) => unknown).call(this));
          } as Circus.TestFn);
  }

  reportFailure(tape: Tape, error: Error): void {
    if (!tape.failures.includes(error)) tape.failures.push(error);
  }

  boundaryExecuting(): boolean {
    return this.boundaries.executing();
  }

  private useOptions(options: CassetteUseOptions): void {
    const tape = this.currentTape();
    const mode = options.mode === undefined ? undefined : parseMode(options.mode, 'cassette.use()');
    // cassette.use({ live }) or ({ matchers }) alone must not reset a mode set by an earlier cassette.use({ mode }).
    if (mode !== undefined || (options.live === undefined && options.frozen === undefined && options.matchers === undefined)) this.state.setTestMode(tape, mode);
    const partial = partialReplayFor(tape.config, options, 'cassette.use()');
    if (partial) tape.partial = partial;
    if (options.matchers !== undefined) {
      const { matchers } = applyOptions(tape.config, { matchers: options.matchers }, 'cassette.use()', this.state.location.rootDir);
      tape.useMatchers(matchers, 'cassette.use()');
    }
  }

  /** Leaves the record the run summary and `agenttape prune` read; a cache, so failing to write it only warns. */
  private writeUsage(): void {
    const { rootDir, testPath } = this.state.location;
    const tapes = this.state.allTapes();
    try {
      writeTestFileUsage(rootDir, {
        testPath,
        cassetteDir: this.config.cassetteDir,
        used: [...new Set(tapes.map((tape) => tape.owner.cassettePath))],
        skippedTests: this.skippedTests,
        complete: this.runFinished,
        writtenAt: Date.now(),
        counts: countUsage(tapes),
      });
    } catch (error) {
      process.emitWarning(`agenttape: could not write the cassette usage record under ${rootDir}/node_modules/.cache/agenttape: ${(error as Error).message}. The run summary will not list obsolete cassettes.`);
    }
  }
}

export { AgentTapeEnvironment as TestEnvironment };
