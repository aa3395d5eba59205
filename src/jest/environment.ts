/**
 * The AgentTape Jest environment: a Node environment in which every HTTP
 * request goes through the cassette of the running test. It is a thin
 * adapter: it maps Jest's lifecycle onto one `CassetteSession` per test file
 * (src/session/cassette-session.ts), which does the work, and keeps what only
 * Jest has — test names, concurrent tests, the sandbox's fetch, the usage
 * record the run summary reads.
 */
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import NodeEnvironment from 'jest-environment-node';
import * as path from 'node:path';
import { loadConfig } from '../config/config';
import { UninterceptableRequestError } from '../errors';
import { CassetteSession } from '../session/cassette-session';
import { countUsage, writeTestFileUsage } from '../usage/cassette-usage';
import { docblockMode, withPartialPragmas } from './docblock-options';
import { JEST_ADVICE } from './jest-advice';
import type { Tape } from '../engine/tape';

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
export default class AgentTapeEnvironment extends NodeEnvironment {
  /** Everything that makes this file's requests go through cassettes. */
  readonly session: CassetteSession;
  private readonly rootDir: string;
  private readonly testPath: string;
  private readonly occurrences = new Map<string, number>();
  private readonly testOccurrence = new WeakMap<Circus.TestEntry, number>();
  /** Tapes of the tests that have started and not finished (several under test.concurrent). */
  private readonly runningTapes = new Map<Circus.TestEntry, Tape>();
  private readonly originalTestFns = new WeakMap<Circus.TestEntry, Circus.TestFn>();
  private readonly skippedTests: string[] = [];
  private runFinished = false;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    const { agenttape, ...jestOptions } = config.projectConfig.testEnvironmentOptions as { agenttape?: unknown };
    // Every key of testEnvironmentOptions becomes a sandbox global: hide ours.
    super({ ...config, projectConfig: { ...config.projectConfig, testEnvironmentOptions: jestOptions } }, context);
    const { rootDir } = config.projectConfig;
    this.rootDir = rootDir;
    this.testPath = context.testPath;
    const testFile = path.relative(rootDir, context.testPath);
    this.session = new CassetteSession({
      rootDir,
      testPath: context.testPath,
      config: withPartialPragmas(loadConfig(rootDir, agenttape), context.docblockPragmas, testFile, rootDir),
      docblockMode: docblockMode(context.docblockPragmas, testFile),
      ci: config.globalConfig.ci,
      advice: JEST_ADVICE,
      global: this.global,
      fakeTimers: this.fakeTimersModern,
      lateRequestError: (description) => this.lateRequestError(description),
    });
  }

  override async setup(): Promise<void> {
    await super.setup();
    this.session.open();
  }

  override async teardown(): Promise<void> {
    await this.session.close();
    this.writeUsage();
    await super.teardown();
  }

  /** Called by jest-circus, awaited, for every test lifecycle event. */
  handleTestEvent(event: Circus.AsyncEvent, circusState: Circus.State): void {
    switch (event.name) {
      case 'hook_start':
      case 'test_fn_start':
        // nock required by the test file, or msw's server.listen() in a hook, patched after us: their mocks answer first.
        this.session.yieldToLaterMocks();
        break;
      case 'test_start': {
        const name = fullTestName(event.test);
        let occurrence = this.testOccurrence.get(event.test);
        if (occurrence === undefined) {
          occurrence = (this.occurrences.get(name) ?? 0) + 1;
          this.occurrences.set(name, occurrence);
          this.testOccurrence.set(event.test, occurrence);
        }
        const tape = this.session.openTest(name, occurrence);
        this.runningTapes.set(event.test, tape);
        // Concurrent tests overlap, so "the running test" is not one slot: each carries its tape.
        if (event.test.concurrent) this.bindTestToTape(event.test, tape);
        this.session.startTest(tape, event.test.concurrent);
        break;
      }
      case 'test_done': {
        const tape = this.runningTapes.get(event.test);
        this.runningTapes.delete(event.test);
        this.session.finishTest(tape);
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
        for (const error of this.session.fileScope().failures) circusState.unhandledErrors.push(error);
        break;
      }
      default:
        break;
    }
  }

  /** The refusal of a request made after this file finished, through fetch or node:http. */
  private lateRequestError(description: string): UninterceptableRequestError {
    return new UninterceptableRequestError(
      `AgentTape blocked ${description}: it was made after the test file ${this.session.state.testFile} finished ` +
        '(a retry timer or a promise nobody awaited), when no cassette is open. Nothing was sent. Await every request inside its test.',
    );
  }

  /**
   * Runs a concurrent test's function inside the session's context for its tape,
   * so every request it makes — whenever it runs — goes to its own cassette.
   * The wrapper keeps the function's arity (Jest reads it to spot a `done` callback).
   */
  private bindTestToTape(test: Circus.TestEntry, tape: Tape): void {
    const original = this.originalTestFns.get(test) ?? test.fn;
    this.originalTestFns.set(test, original);
    const { session } = this;
    test.fn =
      original.length > 0
        ? (function (this: unknown, done: unknown) {
            return session.runInTest(tape, () => (original as (this: unknown, done: unknown) => unknown).call(this, done));
          } as Circus.TestFn)
        : (function (this: unknown) {
            return session.runInTest(tape, () => (original as (this: unknown) => unknown).call(this));
          } as Circus.TestFn);
  }

  /** Leaves the record the run summary and `agenttape prune` read; a cache, so failing to write it only warns. */
  private writeUsage(): void {
    const { rootDir, testPath } = this;
    const tapes = this.session.state.allTapes();
    try {
      writeTestFileUsage(rootDir, {
        testPath,
        cassetteDir: this.session.config.cassetteDir,
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
