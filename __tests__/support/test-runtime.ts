/**
 * The session's side of an adapter (the HTTP handler, the boundary recorder)
 * for unit tests: one tape, real redaction, refusals worded as in Jest, and
 * failures kept on the tape as the session keeps them.
 */
import type { AgentTapeConfig } from '../../src/config/config';
import type { CassetteRuntime } from '../../src/engine/cassette-runtime';
import type { Tape } from '../../src/engine/tape';
import { JEST_ADVICE } from '../../src/jest/jest-advice';
import { Redactor } from '../../src/redact/redactor';
import { refusalError } from '../../src/report/miss-report';

/** A runtime serving `tape`; `executing` says whether a recorded boundary runs. */
export function runtimeFor(tape: Tape, config: AgentTapeConfig, executing?: () => boolean): CassetteRuntime {
  return {
    currentTape: () => tape,
    config,
    redactor: new Redactor(config.redact),
    refuse: (t, refusal) => {
      const error = refusalError(t, refusal, JEST_ADVICE);
      t.failures.push(error);
      return error;
    },
    reportFailure: (t, error) => void t.failures.push(error),
    boundaryExecuting: executing,
  };
}
