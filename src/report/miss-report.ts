/**
 * The errors a refused request fails with (see docs/interception.md, "Failing
 * loudly"): which test and cassette, the mode and where it came from, the
 * request, the closest recording field by field, and how to fix it, in the
 * words of the host that runs the code (the Jest environment or `useCassette`).
 */
import * as path from 'node:path';
import type { Json } from '../json';
import { derivedCassettePath } from '../cassette/cassette-path';
import type { ModeSource, ResolvedMode } from '../config/modes';
import { RecordingRefusedInCiError, UnmatchedInteractionError, type AgentTapeError } from '../errors';
import { sameBoundary } from '../engine/boundary-key';
import { stableStringify } from '../engine/canonical-request';
import { findClosest } from '../engine/closest-recording';
import type { Refusal } from '../engine/decide';
import { comparedRequest, primaryCanonicalOptions, type IncomingRequest } from '../engine/match-index';
import type { Tape, TapeOwner } from '../engine/tape';
import { formatDifferences } from './difference-text';

/**
 * What a host tells a user to do, in its own words. The Jest environment and
 * `useCassette` each give one to their {@link CassetteSession}.
 *
 * @example
 * const advice: HostAdvice = {
 *   recordCommand: () => 'AGENTTAPE_MODE=record node agent.js',
 *   ciRecordCommand: () => 'AGENTTAPE_MODE=record node agent.js',
 *   inCi: 'the script runs in CI (the CI variable)',
 *   docblock: 'docblock',
 *   goLive: (token) => `live: [${JSON.stringify(token)}] in the options`,
 *   frozenSettings: 'the options or agenttape.config.json',
 * };
 */
export interface HostAdvice {
  /** The command that records the owner's cassette. */
  recordCommand(owner: TapeOwner): string;
  /** The command that records it in CI, where only `AGENTTAPE_MODE` may record. */
  ciRecordCommand(owner: TapeOwner): string;
  /** Why this run counts as CI, e.g. "Jest runs in CI (--ci or the CI variable)". */
  readonly inCi: string;
  /** What the host calls a mode set in the file's docblock. */
  readonly docblock: string;
  /** How to make one boundary (or `llm`) run for real and replay the rest. */
  goLive(token: string): string;
  /** Where the `frozen` list is set. */
  readonly frozenSettings: string;
}

/**
 * The error a refusal fails with.
 *
 * @example
 * const served = serve(tape, incoming);
 * if (served.action === 'refuse') throw refusalError(tape, served.refusal, advice);
 */
export function refusalError(tape: Tape, refusal: Refusal, advice: HostAdvice): AgentTapeError {
  if (refusal.reason === 'unreadable') return refusal.error;
  if (refusal.reason === 'refused-in-ci') return ciRefusal(tape, refusal.incoming, advice);
  return unmatched(tape, refusal.incoming, refusal.frozen, advice);
}

const MEANING: Record<string, string> = {
  none: 'replay only',
  once: 'replay strictly; records only when the cassette file is absent',
  new_episodes: 'replay, record new requests',
  all: 'record everything',
  record: 'record everything',
};

function sourceName(source: ModeSource, advice: HostAdvice): string {
  return { test: 'per-test option', docblock: advice.docblock, env: 'AGENTTAPE_MODE', config: 'configuration', default: 'default' }[source];
}

function describeMode(mode: ResolvedMode, advice: HostAdvice): string {
  return `${mode.mode} (${MEANING[mode.mode]}; from ${sourceName(mode.source, advice)})`;
}

function truncate(text: string, max = 600): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

function describeRequest(canonical: { [key: string]: Json }): string {
  if (typeof canonical.method === 'string') {
    const { method, url, ...rest } = canonical;
    const lines = [`  ${String(method)} ${String(url)}`];
    for (const [key, value] of Object.entries(rest)) lines.push(`  ${key}: ${truncate(stableStringify(value))}`);
    return lines.join('\n');
  }
  return `  ${truncate(stableStringify(canonical))}`;
}

function header(tape: Tape, incoming: IncomingRequest, advice: HostAdvice): string[] {
  return [
    `  Test:     ${tape.owner.fileScope ? '(outside any test)' : tape.owner.testName}`,
    `  Cassette: ${tape.owner.cassettePath}${tape.existed ? '' : ' (file does not exist)'}`,
    `  Mode:     ${describeMode(tape.mode, advice)}`,
    `  Boundary: ${incoming.kind} ${incoming.boundary}`,
  ];
}

function unmatched(tape: Tape, incoming: IncomingRequest, frozen: boolean, advice: HostAdvice): UnmatchedInteractionError {
  const options = primaryCanonicalOptions(tape.config);
  const canonical = comparedRequest(incoming.request, options);
  const lines = [`AgentTape: no recording matches this ${incoming.kind} request; it was not sent.`, '', ...header(tape, incoming, advice), '', 'Request:', describeRequest(canonical), ''];
  // A frozen boundary is served from the file even in a record-everything mode.
  const recordings = frozen && tape.existing ? tape.existing.interactions : tape.recordings;
  // The same boundary as matching sees it (src/engine/boundary-key.ts), so a Python-written `http://h:1` is a candidate for `h:1`.
  const onBoundary = recordings.filter((r) => r.kind === incoming.kind && sameBoundary(r.kind, r.boundary, incoming.boundary));
  const unused = new Set(tape.unused());
  const candidates = onBoundary.map((item) => ({ item, canonical: comparedRequest(item.request, options) }));
  const closest = findClosest(canonical, candidates);
  if (!tape.existed) {
    lines.push(`No cassette file exists for this test yet.`);
  } else if (!closest) {
    lines.push(`The cassette holds no ${incoming.kind} recording for boundary ${incoming.boundary} (it has ${recordings.length} recording(s) in all).`);
  } else if (closest.differences.length === 0) {
    lines.push(`Every recording of this request was already replayed (each recording is served once, in order; ${onBoundary.length} recorded).`);
  } else {
    const used = unused.has(closest.item) ? '' : ', already replayed';
    lines.push(`Closest recording: interaction #${closest.item.index} (differs in ${closest.differences.length} field(s)${used}):`);
    lines.push(formatDifferences(closest.differences));
  }
  lines.push('', 'How to fix:');
  const record = advice.recordCommand(tape.owner);
  if (frozen) {
    // The generic advice (re-record, new_episodes, live) cannot help while the boundary stays frozen.
    const tokens = tape.partial.frozenBy(incoming.kind, incoming.boundary).map((token) => JSON.stringify(token));
    lines.push(
      `  - ${incoming.boundary} is frozen (by ${tokens.join(', ')} in "frozen"): it is served from the cassette and never runs, even in mode ${tape.mode.mode}, so this new call was refused rather than executed.`,
    );
    lines.push(`  - If the new call is intended, let it run once: take ${tokens.join(', ')} out of "frozen" (${advice.frozenSettings}) and run ${record}`);
    return new UnmatchedInteractionError(lines.join('\n'));
  }
  const token = incoming.kind === 'llm' ? 'llm' : incoming.boundary;
  lines.push(`  - If the change is intended, re-record this test: ${record}`);
  lines.push(`  - If a field changes on every run, add it to "ignoreVolatileFields" in agenttape.config.json.`);
  lines.push(`  - To add new requests while keeping the recorded ones: AGENTTAPE_MODE=new_episodes.`);
  lines.push(
    `  - To run this boundary for real and serve the rest from the cassette: ${advice.goLive(token)} (the run goes to ${path.basename(derivedCassettePath(tape.owner.cassettePath))}; the cassette stays unchanged).`,
  );
  return new UnmatchedInteractionError(lines.join('\n'));
}

function ciRefusal(tape: Tape, incoming: IncomingRequest, advice: HostAdvice): RecordingRefusedInCiError {
  const refused = tape.mode.refusedInCi!;
  const where = { test: 'a per-test option', docblock: `the ${advice.docblock}`, env: 'AGENTTAPE_MODE', config: 'the configuration', default: 'the default' }[refused.source];
  const canonical = comparedRequest(incoming.request, primaryCanonicalOptions(tape.config));
  const lines = [
    `AgentTape: new ${incoming.kind} request not recorded: ${advice.inCi}, where only AGENTTAPE_MODE may record.`,
    `The mode "${refused.mode}" set in ${where} was ignored, so the test ran in replay mode and the request was not sent. Nothing was written.`,
    '',
    ...header(tape, incoming, advice),
    '',
    'Request:',
    describeRequest(canonical),
    '',
    `To record, run: ${advice.ciRecordCommand(tape.owner)}`,
  ];
  return new RecordingRefusedInCiError(lines.join('\n'));
}
