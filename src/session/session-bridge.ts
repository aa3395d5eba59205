/**
 * The one global through which code where the agent runs (the `cassette`
 * handle, the matchers, the tool wrappers, inside the Jest sandbox or a plain
 * script) reaches the {@link CassetteSession}, which may live in another realm.
 * One namespaced key, defined non-enumerable.
 */
import type { BoundaryRecorder } from '../boundaries/boundary-recorder';
import type { MatcherSpec } from '../config/config';
import type { Mode } from '../config/modes';
import type { Tape } from '../engine/tape';

/** The global property name. */
const BRIDGE_KEY = '__agenttape__';

/**
 * Per-test options for `cassette.use()`.
 *
 * @example
 * cassette.use({ mode: 'new_episodes', live: ['tool'], matchers: ['exact'] });
 */
export interface CassetteUseOptions {
  /** The mode of this test; takes precedence over docblock, `AGENTTAPE_MODE` and config. */
  mode?: Mode;
  /** Boundaries (a kind such as `llm`, a boundary name, or `*`) that run for real in replay; the run is written to `<name>.derived.yaml`. */
  live?: string[];
  /** Boundaries served from the cassette while recording; a call it lacks fails and never runs. */
  frozen?: string[];
  /**
   * The matcher chain of this test (see docs/format.md, "Matching"): `ignore_volatile`, `exact`, `ordered` or a
   * function returning a key, tried in order. Before the test's first request.
   */
  matchers?: MatcherSpec | MatcherSpec[];
}

/** What a session exposes to the code under test. */
export interface AgentTapeBridge {
  /** The tape of the running test, or the file-scope tape outside tests. */
  currentTape(): Tape;
  /** Applies per-test options to the running test's cassette. */
  use(options: CassetteUseOptions): void;
  /** Routes tool, retrieval and memory calls through the cassette. */
  boundaries: Pick<BoundaryRecorder, 'begin'>;
}

/**
 * Reads the bridge from a global object; undefined when no session is open there.
 *
 * @example
 * const bridge = readBridge(globalThis);
 */
export function readBridge(target: object): AgentTapeBridge | undefined {
  return (target as Record<string, AgentTapeBridge | undefined>)[BRIDGE_KEY];
}

/**
 * Installs the bridge on a global object.
 *
 * @example
 * installBridge(sandbox, bridge);
 */
export function installBridge(target: object, bridge: AgentTapeBridge): void {
  Object.defineProperty(target, BRIDGE_KEY, { value: bridge, enumerable: false, configurable: true, writable: false });
}

/**
 * Removes the bridge from a global object (a session on the process's own global does when it closes).
 *
 * @example
 * removeBridge(globalThis);
 */
export function removeBridge(target: object): void {
  delete (target as Record<string, unknown>)[BRIDGE_KEY];
}
