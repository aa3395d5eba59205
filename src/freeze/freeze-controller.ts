/**
 * Connects cassettes to the sandbox freeze: each tape gets one
 * `FreezeSession`, built from its `meta.freeze` when it is replayed or fresh
 * when it is recorded, and the tape writes that session's values back. Drift
 * of a snapshotted environment variable is reported once per variable and value.
 */
import type { Json } from '../json';
import type { AgentTapeConfig } from '../config/config';
import { isRecordAll } from '../config/modes';
import type { Tape } from '../engine/tape';
import { FreezeSession, type EnvDrift } from './freeze-session';
import { SandboxFreeze, type FakeTimersLike, type FreezableGlobal } from './sandbox-freeze';

/**
 * The drift warning, in the words a test author needs.
 *
 * @example
 * formatDriftWarning({ name: 'MODEL_TIER', recorded: 'large', current: 'small' }, 'cassettes/a.yaml', 'AGENTTAPE_MODE=record node agent.js');
 */
export function formatDriftWarning(drift: EnvDrift, cassettePath: string, recordCommand: string): string {
  const show = (value: string | null) => (value === null ? '(unset)' : JSON.stringify(value));
  return [
    `AgentTape: environment drift in ${drift.name}: recorded ${show(drift.recorded)}, now ${show(drift.current)}.`,
    `  Cassette: ${cassettePath}`,
    `  Replay serves what was recorded under the old value. Re-record (${recordCommand})`,
    `  if the difference matters, or remove ${drift.name} from "envSnapshot".`,
  ].join('\n');
}

/**
 * The freeze of one test file (or one `useCassette`).
 *
 * @example
 * const freeze = new FreezeController(env.global, env.fakeTimersModern, config, (m) => env.global.console.warn(m), (tape) => advice.recordCommand(tape.owner));
 * freeze.install();
 * freeze.enter(tape); // at test_start
 */
export class FreezeController {
  private readonly sandboxFreeze: SandboxFreeze;
  private readonly sessions = new WeakMap<Tape, FreezeSession>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly sandbox: FreezableGlobal & { process: { env: Record<string, string | undefined> } },
    fakeTimers: FakeTimersLike | null | undefined,
    private readonly config: AgentTapeConfig,
    private readonly warn: (message: string) => void,
    /** The host's command that records a tape, for the drift warning. */
    private readonly recordCommand: (tape: Tape) => string,
    /** The tape of the code running now (per async context for concurrent tests). */
    currentTape?: () => Tape,
  ) {
    const currentSession = () => {
      const tape = currentTape?.();
      return tape ? this.sessions.get(tape) : undefined;
    };
    this.sandboxFreeze = new SandboxFreeze(sandbox, fakeTimers, config.freeze, currentSession);
  }

  /** Patches the sandbox. */
  install(): void {
    this.sandboxFreeze.install();
  }

  /** Freezes with this tape's values from now on (created on first entry). */
  enter(tape: Tape, realNow = Date.now()): void {
    let session = this.sessions.get(tape);
    if (!session) {
      session = this.createSession(tape, realNow);
      this.sessions.set(tape, session);
    }
    this.sandboxFreeze.activate(session);
  }

  /**
   * The values to write in a tape's `meta.freeze`; undefined for a tape that never ran.
   *
   * @example
   * state.save(new Date(), (tape) => freeze.metaFor(tape));
   */
  metaFor(tape: Tape): Json | undefined {
    return this.sessions.get(tape)?.toMeta();
  }

  /** Restores the sandbox. */
  uninstall(): void {
    this.sandboxFreeze.uninstall();
  }

  private createSession(tape: Tape, realNow: number): FreezeSession {
    const replayed = tape.existing && !isRecordAll(tape.mode.mode) ? (tape.existing.meta.freeze as Json | undefined) : undefined;
    const session = new FreezeSession({
      features: this.config.freeze,
      recorded: replayed,
      envSnapshot: this.config.envSnapshot,
      env: this.sandbox.process.env,
      realNow,
    });
    const placeholder = this.config.redact.placeholder;
    for (const drift of session.drift) {
      // A value redacted at recording time cannot be compared; it is not drift.
      if (drift.recorded?.includes(placeholder)) continue;
      const key = `${drift.name}\u0000${drift.recorded}\u0000${drift.current}`;
      if (this.warned.has(key)) continue;
      this.warned.add(key);
      this.warn(formatDriftWarning(drift, tape.owner.cassettePath, this.recordCommand(tape)));
    }
    return session;
  }
}
