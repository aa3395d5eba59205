/**
 * `cassette`: the handle tests use to look at and configure the running
 * test's cassette. It holds no state: it reads the session's state through
 * the bridge, so the same object works in every test file and under `useCassette`.
 */
import type { Interaction } from '../cassette/cassette-schema';
import type { Mode } from '../config/modes';
import type { InteractionSource, Tape } from '../engine/tape';
import { readBridge, type CassetteUseOptions } from './session-bridge';

/** One step of the running test, as the handle reports it. */
export interface CassetteStep {
  source: InteractionSource;
  interaction: Interaction;
}

/** The running test's cassette. */
export interface CassetteHandle {
  /** True while a cassette session is open (the Jest environment, or inside `useCassette`). */
  readonly active: boolean;
  /** Absolute path of the running test's cassette file. */
  readonly path: string | undefined;
  /** The mode in force for the running test. */
  readonly mode: Mode | undefined;
  /** What the running test replayed or recorded so far, in order. */
  readonly steps: readonly CassetteStep[];
  /** Recorded interactions the running test has not used (yet). */
  unused(): Interaction[];
  /** Sets per-test options; call it at the start of the test or in `beforeEach`. */
  use(options: CassetteUseOptions): void;
}

const HANDLE_MARK = Symbol.for('agenttape.cassette-handle');

/**
 * The tape behind a handle, or undefined outside the environment. For matchers.
 *
 * @example
 * const tape = tapeOf(cassette);
 */
export function tapeOf(handle: unknown): Tape | undefined {
  if (!isCassetteHandle(handle)) return undefined;
  return readBridge(globalThis)?.currentTape();
}

/**
 * True for the `cassette` handle (from any copy of this module).
 *
 * @example
 * isCassetteHandle(cassette); // true
 */
export function isCassetteHandle(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[HANDLE_MARK] === true;
}

/**
 * The running test's cassette.
 *
 * @example
 * import { cassette } from 'agenttape';
 * test('answers', async () => {
 *   await runAgent();
 *   expect(cassette).toHaveReplayedAll();
 * });
 */
export const cassette: CassetteHandle = Object.freeze({
  [HANDLE_MARK]: true,
  get active() {
    return readBridge(globalThis) !== undefined;
  },
  get path() {
    return readBridge(globalThis)?.currentTape().owner.cassettePath;
  },
  get mode() {
    return readBridge(globalThis)?.currentTape().mode.mode;
  },
  get steps() {
    return (
      readBridge(globalThis)
        ?.currentTape()
        .timeline.map(({ source, interaction }) => ({ source, interaction })) ?? []
    );
  },
  unused() {
    return readBridge(globalThis)?.currentTape().unused() ?? [];
  },
  use(options: CassetteUseOptions) {
    readBridge(globalThis)?.use(options);
  },
});
