/**
 * What an adapter (HTTP interception, tool wrappers) needs from whoever owns
 * the active cassette: a session (src/session/cassette-session.ts), whichever
 * host opened it.
 */
import type { AgentTapeConfig } from '../config/config';
import type { AgentTapeError } from '../errors';
import type { Redactor } from '../redact/redactor';
import type { Refusal } from './decide';
import type { Tape } from './tape';

/**
 * The active cassette, as adapters see it.
 *
 * @example
 * const tape = runtime.currentTape();
 * const served = serve(tape, incoming);
 * if (served.action === 'refuse') throw runtime.refuse(tape, served.refusal);
 */
export interface CassetteRuntime {
  /** The tape requests go to now: the running test's, or the file-scope one. */
  currentTape(): Tape;
  /** The configuration in force. */
  readonly config: AgentTapeConfig;
  /** The redaction rules in force. */
  readonly redactor: Redactor;
  /**
   * Fails the test with a refusal (even if the code under test catches it) and
   * returns the error the request fails with, worded for the host that runs the code.
   */
  refuse(tape: Tape, refusal: Refusal): AgentTapeError;
  /** Makes sure an error fails the test (or the file), even if the code under test catches it. */
  reportFailure(tape: Tape, error: Error): void;
  /** True while a recorded agent boundary (a tool…) runs: requests it makes are not recorded again. */
  boundaryExecuting?(): boolean;
}
