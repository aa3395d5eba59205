/**
 * The one composition root: everything that makes a run go through cassettes,
 * built and torn down in one order for every host. The Jest environment maps
 * Circus events onto a session (one per test file); `useCassette` opens one,
 * runs its function and closes it. A host brings only what it knows — where
 * the project is, the global the code runs in, a docblock mode, its own advice
 * (src/report/miss-report.ts) — and the session does the rest: cassette
 * state, redaction, tool boundaries, HTTP interception, the freeze, the bridge
 * the code under test reaches it through, and per-test `cassette.use()`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { BoundaryRecorder } from '../boundaries/boundary-recorder';
import { applyOptions, type AgentTapeConfig } from '../config/config';
import { isCiEnvironment, modeFromEnvironment, parseMode, type Mode } from '../config/modes';
import { fillPlaceholderKeys } from '../config/placeholder-keys';
import type { CassetteRuntime } from '../engine/cassette-runtime';
import { CassetteState } from '../engine/cassette-state';
import type { Refusal } from '../engine/decide';
import { partialReplayFor } from '../engine/partial-replay';
import type { Tape } from '../engine/tape';
import type { AgentTapeError } from '../errors';
import { FreezeController } from '../freeze/freeze-controller';
import type { FakeTimersLike, FreezableGlobal } from '../freeze/sandbox-freeze';
import { createBlockedRequestReporter, createHttpHandler } from '../http/http-handler';
import { gateFetch, guardLateRequests } from '../http/late-request-guard';
import { HttpInterception } from '../http/request-interception';
import { Redactor } from '../redact/redactor';
import { refusalError, type HostAdvice } from '../report/miss-report';
import { installBridge, removeBridge, type CassetteUseOptions } from './session-bridge';

/** What a host tells the session it opens. */
export interface SessionHost {
  /** The project folder: relative paths and the parse cache are under it. */
  readonly rootDir: string;
  /** What cassettes are named after: the test file, or the folder a `useCassette` name points into. */
  readonly testPath: string;
  /** The configuration, with the host's own layers (options, docblock) applied. */
  readonly config: AgentTapeConfig;
  /** A mode set in the test file's docblock. */
  readonly docblockMode?: Mode;
  /** Whether the host says it runs in CI (Jest's `--ci`); when undefined, the `CI` variable decides. */
  readonly ci?: boolean;
  /** How to tell a user to record, go live or unfreeze. */
  readonly advice: HostAdvice;
  /** The global object the code under test runs in: a Jest sandbox, or the process's own. */
  readonly global: FreezableGlobal & { process: { env: NodeJS.ProcessEnv }; fetch: typeof fetch; console: Pick<Console, 'warn'> };
  /** The sandbox's modern fake timers, which the freeze keeps in step; null outside Jest. */
  readonly fakeTimers: FakeTimersLike | null;
  /**
   * For a sandbox thrown away after the run: the error a request made after
   * close fails with. The session then refuses such requests, through `fetch`
   * and `node:http` (see docs/interception.md, "Requests left behind"), and
   * leaves its bridge in place, so in replay a late tool call is refused
   * rather than run for real. Without it, the session gives the global back
   * as it found it.
   */
  readonly lateRequestError?: (description: string) => Error;
}

/**
 * One run through cassettes.
 *
 * @example
 * const session = new CassetteSession(host);
 * session.open();
 * const tape = session.openTest('weather answers');
 * session.startTest(tape);
 * // … the test runs …
 * session.finishTest(tape);
 * await session.close();
 */
export class CassetteSession implements CassetteRuntime {
  readonly config: AgentTapeConfig;
  readonly redactor: Redactor;
  readonly state: CassetteState;
  private readonly interception: HttpInterception;
  private readonly boundaries: BoundaryRecorder;
  private readonly freeze: FreezeController;
  /** The tape of the running sequential test; hooks and the test body use it. */
  private testTape: Tape | undefined;
  /** The tape of the concurrent test whose code is running, carried along its async calls. */
  private readonly concurrentTape = new AsyncLocalStorage<Tape>();
  private restoreKeys: () => void = () => undefined;
  private opened = false;
  private closed = false;

  constructor(private readonly host: SessionHost) {
    this.config = host.config;
    this.redactor = new Redactor(host.config.redact);
    this.state = new CassetteState(
      { cassetteDir: host.config.cassetteDir, rootDir: host.rootDir, testPath: host.testPath },
      host.config,
      {
        docblock: host.docblockMode,
        env: modeFromEnvironment(),
        config: host.config.mode,
        ci: host.ci ?? isCiEnvironment(),
      },
      this.redactor,
    );
    this.boundaries = new BoundaryRecorder(this);
    this.interception = new HttpInterception(createHttpHandler(this), createBlockedRequestReporter(this));
    this.freeze = new FreezeController(
      host.global,
      host.fakeTimers,
      host.config,
      // Warnings go to the console of the code under test, where the user sees them.
      (message) => host.global.console.warn(message),
      (tape) => host.advice.recordCommand(tape.owner),
      () => this.currentTape(),
    );
  }

  /**
   * Starts intercepting and freezing, and lets the code under test reach the
   * session. In replay, a missing provider key reads as a placeholder, so SDK
   * clients construct (see docs/interception.md, "Clients built before the cassette opens").
   */
  open(): void {
    const { global } = this.host;
    this.interception.activate([global]);
    if (this.currentTape().mode.mode === 'none') this.restoreKeys = fillPlaceholderKeys(global.process.env);
    installBridge(global, { currentTape: () => this.currentTape(), use: (options) => this.use(options), boundaries: this.boundaries });
    this.freeze.install();
    this.freeze.enter(this.currentTape());
    const { lateRequestError } = this.host;
    // Jest copied the sandbox's fetch before interception patched it: hand it the patched one,
    // behind a gate. SDK clients keep the fetch they were built with, and a retry timer can fire
    // after close, when the interceptor is gone and that patched fetch would go to the network.
    if (lateRequestError) global.fetch = gateFetch(globalThis.fetch, () => this.closed, lateRequestError);
    this.opened = true;
  }

  /**
   * Opens the cassette of a test. A corrupt file is reported on the tape (its
   * test fails) and never overwritten.
   *
   * @example
   * const tape = session.openTest('weather answers', 1);
   */
  openTest(name: string, occurrence = 1, mode?: Mode): Tape {
    return this.state.openTest(name, occurrence, mode);
  }

  /** The tape of requests made outside any test. */
  fileScope(): Tape {
    return this.state.openFileScope();
  }

  /**
   * Makes a tape the running test's. A concurrent test's tape is not "the
   * running one": its code runs inside {@link CassetteSession.runInTest}.
   * Before {@link CassetteSession.open}, it is the tape the session opens with.
   *
   * @example
   * session.startTest(tape);
   */
  startTest(tape: Tape, concurrent = false): void {
    if (!concurrent) this.testTape = tape;
    if (this.opened) this.freeze.enter(tape);
  }

  /**
   * Ends a test: requests go to the file scope again.
   *
   * @example
   * session.finishTest(tape);
   */
  finishTest(tape: Tape | undefined): void {
    if (this.testTape === tape) this.testTape = undefined;
    this.freeze.enter(this.fileScope());
  }

  /**
   * Runs code of a concurrent test with its tape, carried along every async
   * call it makes, so its requests go to its own cassette whenever they run.
   *
   * @example
   * session.runInTest(tape, () => original.call(this));
   */
  runInTest<T>(tape: Tape, fn: () => T): T {
    return this.concurrentTape.run(tape, fn);
  }

  /** The tape requests go to now. */
  currentTape(): Tape {
    return this.concurrentTape.getStore() ?? this.testTape ?? this.fileScope();
  }

  /**
   * Per-test options (`cassette.use()`), on the running test's tape.
   *
   * @example
   * session.use({ mode: 'record', live: ['llm'] });
   */
  use(options: CassetteUseOptions): void {
    const tape = this.currentTape();
    const mode = options.mode === undefined ? undefined : parseMode(options.mode, 'cassette.use()');
    // cassette.use({ live }) or ({ matchers }) alone must not reset a mode set by an earlier cassette.use({ mode }).
    if (mode !== undefined || (options.live === undefined && options.frozen === undefined && options.matchers === undefined)) this.state.setTestMode(tape, mode);
    const partial = partialReplayFor(tape.config, options, 'cassette.use()');
    if (partial) tape.partial = partial;
    if (options.matchers !== undefined) {
      const { matchers } = applyOptions(tape.config, { matchers: options.matchers }, 'cassette.use()', this.host.rootDir);
      tape.useMatchers(matchers, 'cassette.use()');
    }
  }

  refuse(tape: Tape, refusal: Refusal): AgentTapeError {
    const error = refusalError(tape, refusal, this.host.advice);
    this.reportFailure(tape, error);
    return error;
  }

  reportFailure(tape: Tape, error: Error): void {
    if (!tape.failures.includes(error)) tape.failures.push(error);
  }

  boundaryExecuting(): boolean {
    return this.boundaries.executing();
  }

  /** Lets mocks a test set up after the session opened (nock, msw) answer first; see `HttpInterception`. */
  yieldToLaterMocks(): void {
    this.interception.yieldToLaterMocks();
  }

  /**
   * Waits for recordings still in flight, stops intercepting, gives back what
   * it patched and writes the cassettes that changed. The order matters: a
   * response body being recorded must finish before the interceptor goes and
   * before the file is written.
   */
  async close(): Promise<void> {
    await this.state.settle();
    this.closed = true;
    this.interception.deactivate();
    const { global, lateRequestError } = this.host;
    if (lateRequestError) guardLateRequests(global as unknown as { Object: ObjectConstructor }, lateRequestError);
    this.freeze.uninstall();
    this.restoreKeys();
    if (!lateRequestError) removeBridge(global);
    // An enabled async context storage stays in a process-wide list that every later promise in this worker pays for.
    this.concurrentTape.disable();
    this.boundaries.dispose();
    this.state.save(new Date(), (tape) => this.freeze.metaFor(tape));
  }
}
