/**
 * The sequences the call matchers compare: the tools a test called, and the
 * run's interactions next to the recorded ones, each reduced to what matching
 * looks at (kind, boundary key, canonical request).
 */
import type { Interaction } from '../cassette/cassette-schema';
import type { Json } from '../json';
import { boundaryKey } from '../engine/boundary-key';
import { comparedRequest, primaryCanonicalOptions } from '../engine/match-index';
import type { Tape } from '../engine/tape';
import { isRecordAll, isRecordingMode } from '../config/modes';

/** One interaction as the sequence matcher shows it. */
interface SequenceStep {
  kind: Interaction['kind'];
  boundary: string;
  request: Json;
}

/**
 * The tool and retrieval boundaries this run called, in order.
 *
 * @example
 * calledTools(tape); // ['search_docs', 'get_weather']
 */
export function calledTools(tape: Tape): string[] {
  return tape.timeline.filter(({ interaction }) => interaction.kind === 'tool' || interaction.kind === 'retrieval').map(({ interaction }) => interaction.boundary);
}

function toSteps(tape: Tape, interactions: readonly Interaction[]): SequenceStep[] {
  const options = primaryCanonicalOptions(tape.config);
  // The boundary as matching compares it, so a Python-written `http://h:1` equals this run's `h:1` (docs/python-interop.md).
  return interactions.map((i) => ({ kind: i.kind, boundary: boundaryKey(i.kind, i.boundary), request: comparedRequest(i.request, options) }));
}

/**
 * This run's interactions so far, in order.
 *
 * @example
 * runSequence(tape)[0]; // { kind: 'llm', boundary: 'llm', request: { method: 'POST', … } }
 */
export function runSequence(tape: Tape): SequenceStep[] {
  return toSteps(
    tape,
    tape.timeline.map(({ interaction }) => interaction),
  );
}

/**
 * The recording this run is compared with: the cassette file as it was before
 * the run; when this run records it afresh (`all`, or a new file), the run itself.
 * Undefined in replay without a cassette file.
 *
 * @example
 * recordedSequence(tape)?.length; // 3
 */
export function recordedSequence(tape: Tape): SequenceStep[] | undefined {
  const { mode } = tape.mode;
  if (isRecordingMode(mode) && (isRecordAll(mode) || !tape.existing)) return runSequence(tape);
  return tape.existing ? toSteps(tape, tape.existing.interactions) : undefined;
}
