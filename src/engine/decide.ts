/**
 * The replay / record / refuse decision (see docs/configuration.md, "Modes";
 * docs/format.md, "Matching"). {@link decide} only reads a tape and a request;
 * {@link serve} is the one place a decision takes a recording from the tape.
 * A refusal is data: the words that explain it come from the host (see
 * src/report/miss-report.ts), so nothing here knows which runner runs the code.
 */
import type { Interaction } from '../cassette/cassette-schema';
import { isRecordAll, isRecordingMode } from '../config/modes';
import { CassetteCorruptError, type AgentTapeError } from '../errors';
import type { IncomingRequest } from './match-index';
import type { RecordingMatch, Tape } from './tape';

/**
 * Why a request is refused.
 * - `unreadable`: the cassette file could not be read (corrupt, unknown version);
 * - `unmatched`: no unused recording matches (`frozen`: the boundary is frozen, so it may not run either);
 * - `refused-in-ci`: it would be recorded, but the recording mode was set where CI ignores it.
 */
export type Refusal = { reason: 'unreadable'; error: AgentTapeError } | { reason: 'unmatched'; incoming: IncomingRequest; frozen: boolean } | { reason: 'refused-in-ci'; incoming: IncomingRequest };

/** What to do with one request, before anything is taken from the tape. */
type Decision = { action: 'replay'; match: RecordingMatch } | { action: 'record' } | { action: 'refuse'; refusal: Refusal };

/** What to do with one request, once served: a replay names the recording it took. */
type Served = { action: 'replay'; interaction: Interaction } | { action: 'record' } | { action: 'refuse'; refusal: Refusal };

/**
 * Decides how one request would be served. It changes nothing: deciding twice
 * gives the same answer until {@link serve} (or `tape.replay`) uses the match.
 *
 * @example
 * const decision = decide(tape, { kind: 'http', boundary: 'api.x.com', request });
 * if (decision.action === 'refuse') console.log(decision.refusal.reason);
 */
export function decide(tape: Tape, incoming: IncomingRequest): Decision {
  const { mode } = tape.mode;
  const scope = tape.partial.scopeOf(incoming.kind, incoming.boundary);
  if (scope === 'live' && !isRecordingMode(mode)) return { action: 'record' };
  if (scope === 'frozen' && isRecordingMode(mode)) return decideFrozen(tape, incoming);
  if (isRecordAll(mode)) return { action: 'record' };
  if (tape.loadError) return { action: 'refuse', refusal: { reason: 'unreadable', error: tape.loadError } };
  const match = tape.match(incoming);
  if (match) return { action: 'replay', match };
  if (mode === 'new_episodes' || (mode === 'once' && !tape.existed)) return { action: 'record' };
  if (tape.mode.refusedInCi) return { action: 'refuse', refusal: { reason: 'refused-in-ci', incoming } };
  return { action: 'refuse', refusal: { reason: 'unmatched', incoming, frozen: scope === 'frozen' } };
}

/** A frozen boundary in a recording mode: served from the cassette, never executed. */
function decideFrozen(tape: Tape, incoming: IncomingRequest): Decision {
  if (tape.loadError) return { action: 'refuse', refusal: { reason: 'unreadable', error: tape.loadError } };
  const match = tape.matchFrozen(incoming);
  if (match) return { action: 'replay', match };
  return { action: 'refuse', refusal: { reason: 'unmatched', incoming, frozen: true } };
}

/**
 * Decides and acts on the tape: a replay takes its recording, so the next
 * identical request gets the next one. What adapters call for each request.
 * A large cassette's requests and responses are parsed when first read
 * (docs/format.md, "Large cassettes"): one found damaged here fails the test,
 * as a cassette that could not be opened does, even when the code under test
 * catches the error thrown.
 *
 * @example
 * const served = serve(tape, incoming);
 * if (served.action === 'replay') return served.interaction.response;
 */
export function serve(tape: Tape, incoming: IncomingRequest): Served {
  try {
    const decision = decide(tape, incoming);
    if (decision.action !== 'replay') return decision;
    const interaction = tape.replay(decision.match);
    // Read here, so whichever adapter replays it gets a response already checked.
    if (interaction.error === undefined) void interaction.response;
    return { action: 'replay', interaction };
  } catch (error) {
    if (error instanceof CassetteCorruptError && !tape.failures.includes(error)) tape.failures.push(error);
    throw error;
  }
}
