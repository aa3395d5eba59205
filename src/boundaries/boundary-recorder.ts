/**
 * The outer side of agent boundaries: routes one call through the engine and
 * records its outcome on the tape. It lives where the cassette state lives
 * (the Jest environment's realm, or `useCassette`), deals only in cassette
 * data, and knows which boundary is executing so that calls nested inside it
 * (HTTP requests, inner tools) are not recorded a second time: the outermost
 * boundary wins (see docs/boundaries.md).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { toStoredMs, type InteractionKind, type RecordedError } from '../cassette/cassette-schema';
import type { Json } from '../json';
import type { CassetteRuntime } from '../engine/cassette-runtime';
import { serve } from '../engine/decide';
import { matchKeyOf } from '../engine/match-index';

/** One boundary call, as the wrappers describe it. */
export interface BoundaryCall {
  kind: InteractionKind;
  boundary: string;
  /** `{ name, args }`, already encoded as cassette data. */
  request: { [key: string]: Json };
  tags: string[];
}

/** How one call ended, as cassette data. */
interface BoundaryOutcome {
  response?: Json;
  error?: RecordedError;
  usage?: { [key: string]: Json } | null;
  /** Whether the function returned a promise; replay answers the same way. */
  async: boolean;
}

/** What the wrapper must do with one call. */
export type BoundaryStart =
  /** Inside another executing boundary: call the function, record nothing. */
  | { action: 'passthrough' }
  /** Serve the recording without running the function. */
  | { action: 'replay'; response: Json | undefined; error: RecordedError | undefined; async: boolean | undefined }
  /** Fail: the cassette does not hold this call (the test is failed too). */
  | { action: 'refuse'; error: Error }
  /** Run the function inside `run`, then report how it ended with `finish`. */
  | { action: 'execute'; run<T>(fn: () => T): T; finish(outcome: BoundaryOutcome): void };

/**
 * Routes boundary calls of one runtime through its tapes.
 *
 * @example
 * const boundaries = new BoundaryRecorder(runtime);
 * const start = boundaries.begin({ kind: 'tool', boundary: 'charge_card', request: { name: 'charge_card', args: [42] }, tags: [] });
 */
export class BoundaryRecorder {
  private readonly executingBoundary = new AsyncLocalStorage<string>();

  constructor(private readonly runtime: CassetteRuntime) {}

  /**
   * Releases the async context storage. Node keeps every storage that has run
   * in a process-wide list and calls each one for every promise and async
   * resource created afterwards, so one left enabled per test file makes each
   * later file in the same Jest worker slower.
   */
  dispose(): void {
    this.executingBoundary.disable();
  }

  /** True while a recorded or live boundary runs in the current async context. */
  executing(): boolean {
    return this.executingBoundary.getStore() !== undefined;
  }

  /** Decides how one call is served. Synchronous, so sync wrappers stay sync. */
  begin(call: BoundaryCall): BoundaryStart {
    if (this.executing()) return { action: 'passthrough' };
    const { runtime } = this;
    const tape = runtime.currentTape();
    const request = runtime.redactor.redactValue(call.request) as { [key: string]: Json };
    const incoming = { kind: call.kind, boundary: call.boundary, request };
    const served = serve(tape, incoming);
    if (served.action === 'replay') {
      const { interaction } = served;
      const recordedAsync = interaction.metadata.async;
      return { action: 'replay', response: interaction.response, error: interaction.error, async: typeof recordedAsync === 'boolean' ? recordedAsync : undefined };
    }
    if (served.action === 'refuse') {
      return { action: 'refuse', error: runtime.refuse(tape, served.refusal) };
    }
    const started = performance.now();
    const matchKey = matchKeyOf(request, runtime.config);
    // Recorded when the call ends, in its place by when it started, as replay serves it.
    const step = tape.startStep({ awaited: false });
    const redact = <T>(value: T): T => runtime.redactor.redactValue(value as unknown as Json) as unknown as T;
    return {
      action: 'execute',
      run: (fn) => this.executingBoundary.run(call.boundary, fn),
      finish: (outcome) =>
        step.finish(() => {
          const ended = outcome.error ? { error: redact(outcome.error) } : { response: redact(outcome.response ?? null) };
          const usage = outcome.usage ? redact(outcome.usage) : null;
          return { ...incoming, ...ended, match_key: matchKey, latency_ms: toStoredMs(performance.now() - started), usage, tags: call.tags, metadata: { async: outcome.async } };
        }),
    };
  }
}
