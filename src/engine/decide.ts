/**
 * The replay / record / refuse decision (see docs/configuration.md; docs/format.md, "Matching"; docs/interception.md, "Failing loudly"). Pure: it reads a
 * tape and a request and answers; adapters (HTTP interception, tool wrappers,
 * `useCassette`) act on the answer. Nothing here knows about Jest or nock.
 */
import * as path from 'node:path';
import type { Interaction, Json } from '../cassette/cassette-format';
import { isRecordAll, isRecordingMode, type ResolvedMode } from '../config/modes';
import { AgentTapeError, RecordingRefusedInCiError, UnmatchedInteractionError } from '../errors';
import { sameBoundary } from './boundary-key';
import { stableStringify } from './canonical-request';
import { findClosest, formatDifferences } from './closest-recording';
import { comparedRequest, primaryCanonicalOptions, type IncomingRequest } from './match-index';
import type { Tape } from './tape';

/** What to do with one request. */
export type Decision =
  | { action: 'replay'; interaction: Interaction }
  | { action: 'record' }
  | { action: 'refuse'; error: AgentTapeError };

/**
 * Decides how one request is served.
 *
 * @example
 * const decision = decide(tape, { kind: 'http', boundary: 'api.x.com', request });
 * if (decision.action === 'refuse') throw decision.error;
 */
export function decide(tape: Tape, incoming: IncomingRequest): Decision {
  const { mode } = tape.mode;
  const scope = tape.partial.scopeOf(incoming.kind, incoming.boundary);
  if (scope === 'live' && !isRecordingMode(mode)) return { action: 'record' };
  if (scope === 'frozen' && isRecordingMode(mode)) return decideFrozen(tape, incoming);
  if (isRecordAll(mode)) return { action: 'record' };
  if (tape.loadError instanceof AgentTapeError) return { action: 'refuse', error: tape.loadError };
  const hit = tape.take(incoming);
  if (hit) return { action: 'replay', interaction: hit };
  if (mode === 'new_episodes' || (mode === 'once' && !tape.existed)) return { action: 'record' };
  if (tape.mode.refusedInCi) return { action: 'refuse', error: ciRefusal(tape, incoming) };
  return { action: 'refuse', error: unmatched(tape, incoming) };
}

/** A frozen boundary in a recording mode: served from the cassette, never executed. */
function decideFrozen(tape: Tape, incoming: IncomingRequest): Decision {
  if (tape.loadError instanceof AgentTapeError) return { action: 'refuse', error: tape.loadError };
  const hit = tape.takeFrozen(incoming);
  if (hit) return { action: 'replay', interaction: hit };
  return { action: 'refuse', error: unmatched(tape, incoming) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The exact command that records one test.
 *
 * @example
 * recordCommand(tape); // 'AGENTTAPE_MODE=record npx jest src/a.test.ts -t "^weather answers$"'
 */
export function recordCommand(tape: Tape): string {
  if (tape.owner.recordCommand) return tape.owner.recordCommand;
  const file = tape.owner.testFile.split(path.sep).join('/');
  if (tape.owner.fileScope) return `AGENTTAPE_MODE=record npx jest ${file}`;
  return `AGENTTAPE_MODE=record npx jest ${file} -t ${JSON.stringify(`^${escapeRegExp(tape.owner.testName)}$`)}`;
}

function describeMode(mode: ResolvedMode): string {
  const meaning: Record<string, string> = {
    none: 'replay only',
    once: 'replay strictly; records only when the cassette file is absent',
    new_episodes: 'replay, record new requests',
    all: 'record everything',
    record: 'record everything',
  };
  const source = { test: 'per-test option', docblock: '@agenttape-mode docblock', env: 'AGENTTAPE_MODE', config: 'configuration', default: 'default' }[mode.source];
  return `${mode.mode} (${meaning[mode.mode]}; from ${source})`;
}

function truncate(text: string, max = 600): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

function describeRequest(canonical: { [key: string]: Json }): string {
  if (typeof canonical.method === 'string') {
    const { method, url, ...rest } = canonical;
    const lines = [`  ${method} ${url}`];
    for (const [key, value] of Object.entries(rest)) lines.push(`  ${key}: ${truncate(stableStringify(value))}`);
    return lines.join('\n');
  }
  return `  ${truncate(stableStringify(canonical))}`;
}

function header(tape: Tape, incoming: IncomingRequest): string[] {
  return [
    `  Test:     ${tape.owner.fileScope ? '(outside any test)' : tape.owner.testName}`,
    `  Cassette: ${tape.owner.cassettePath}${tape.existed ? '' : ' (file does not exist)'}`,
    `  Mode:     ${describeMode(tape.mode)}`,
    `  Boundary: ${incoming.kind} ${incoming.boundary}`,
  ];
}

function unmatched(tape: Tape, incoming: IncomingRequest): UnmatchedInteractionError {
  const options = primaryCanonicalOptions(tape.config);
  const canonical = comparedRequest(incoming.request, options);
  const lines = [`AgentTape: no recording matches this ${incoming.kind} request; it was not sent.`, '', ...header(tape, incoming), '', 'Request:', describeRequest(canonical), ''];
  // A frozen boundary is served from the file even in a record-everything mode.
  const frozen = tape.partial.scopeOf(incoming.kind, incoming.boundary) === 'frozen';
  const recordings = frozen && tape.existing ? tape.existing.interactions : tape.recordings;
  // The same boundary as matching sees it (src/engine/boundary-key.ts), so a Python-written `http://h:1` is a candidate for `h:1`.
  const onBoundary = recordings.filter((r) => r.kind === incoming.kind && sameBoundary(r.kind, r.boundary, incoming.boundary));
  const unused = new Set(tape.unused());
  const candidates = onBoundary.map((item) => ({ item, canonical: comparedRequest(item.request, options) as Json }));
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
  if (frozen) {
    // The generic advice (re-record, new_episodes, live) cannot help while the boundary stays frozen.
    const tokens = tape.partial.frozenBy(incoming.kind, incoming.boundary).map((token) => JSON.stringify(token));
    lines.push(`  - ${incoming.boundary} is frozen (by ${tokens.join(', ')} in "frozen"): it is served from the cassette and never runs, even in mode ${tape.mode.mode}, so this new call was refused rather than executed.`);
    lines.push(`  - If the new call is intended, let it run once: take ${tokens.join(', ')} out of "frozen" (cassette.use({ frozen }), the @agenttape-frozen docblock or agenttape.config.json) and run ${recordCommand(tape)}`);
    return new UnmatchedInteractionError(lines.join('\n'));
  }
  lines.push(`  - If the change is intended, re-record this test: ${recordCommand(tape)}`);
  lines.push(`  - If a field changes on every run, add it to "ignoreVolatileFields" in agenttape.config.json.`);
  lines.push(`  - To add new requests while keeping the recorded ones: AGENTTAPE_MODE=new_episodes.`);
  lines.push(
    `  - To run this boundary for real and serve the rest from the cassette: cassette.use({ live: [${JSON.stringify(incoming.kind === 'llm' ? 'llm' : incoming.boundary)}] }) or @agenttape-live ${incoming.kind === 'llm' ? 'llm' : incoming.boundary} (the run goes to ${path.basename(tape.owner.cassettePath, '.yaml')}.derived.yaml; the cassette stays unchanged).`,
  );
  return new UnmatchedInteractionError(lines.join('\n'));
}

function ciRefusal(tape: Tape, incoming: IncomingRequest): RecordingRefusedInCiError {
  const refused = tape.mode.refusedInCi!;
  const where = { test: 'a per-test option', docblock: 'the @agenttape-mode docblock', env: 'AGENTTAPE_MODE', config: 'the configuration', default: 'the default' }[refused.source];
  const canonical = comparedRequest(incoming.request, primaryCanonicalOptions(tape.config));
  const script = tape.owner.ciRecordCommand !== undefined;
  const lines = [
    `AgentTape: new ${incoming.kind} request not recorded: ${script ? 'the script runs in CI (the CI variable)' : 'Jest runs in CI (--ci or the CI variable)'}, where only AGENTTAPE_MODE may record.`,
    `The mode "${refused.mode}" set in ${where} was ignored, so the test ran in replay mode and the request was not sent. Nothing was written.`,
    '',
    ...header(tape, incoming),
    '',
    'Request:',
    describeRequest(canonical),
    '',
    `To record, run: ${tape.owner.ciRecordCommand ?? recordCommand(tape)}`,
  ];
  return new RecordingRefusedInCiError(lines.join('\n'));
}
