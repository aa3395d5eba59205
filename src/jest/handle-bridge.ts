/**
 * The one global through which code inside the Jest sandbox (the `cassette`
 * handle, the matchers, the tool wrappers) reaches the environment's state,
 * which lives in the outer realm. One namespaced key, defined non-enumerable.
 */
import type { BoundaryRecorder } from '../boundaries/boundary-recorder';
import type { Tape } from '../engine/tape';
import type { CassetteUseOptions } from './cassette-handle';

/** The global property name. */
export const BRIDGE_KEY = '__agenttape__';

/** What the environment exposes to the sandbox. */
export interface AgentTapeBridge {
  /** The tape of the running test, or the file-scope tape outside tests. */
  currentTape(): Tape;
  /** Applies per-test options to the running test's cassette. */
  useOptions(options: CassetteUseOptions): void;
  /** Routes tool, retrieval and memory calls through the cassette. */
  boundaries?: Pick<BoundaryRecorder, 'begin' | 'executing'>;
}

/**
 * Reads the bridge from a global object; undefined outside the AgentTape environment.
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
 * installBridge(this.global, bridge);
 */
export function installBridge(target: object, bridge: AgentTapeBridge): void {
  Object.defineProperty(target, BRIDGE_KEY, { value: bridge, enumerable: false, configurable: true, writable: false });
}

/**
 * Removes the bridge from a global object (`useCassette` does when it ends).
 *
 * @example
 * removeBridge(globalThis);
 */
export function removeBridge(target: object): void {
  delete (target as Record<string, unknown>)[BRIDGE_KEY];
}
