/**
 * `agenttape diff`: what changed between two cassettes — typically an original
 * and the `.derived.yaml` a partial replay wrote. Interactions are paired by
 * match key first (the same request), then by kind and boundary in order;
 * each changed pair lists its differing fields as paths.
 */
import type { CassetteDocument, Interaction } from '../cassette/cassette-schema';
import type { Json } from '../json';
import { boundaryKey, sameBoundary } from '../engine/boundary-key';
import { diffFields, type FieldDifference } from '../engine/closest-recording';
import { formatDifferences } from '../report/difference-text';
import { describeInteraction } from './interaction-facts';

/** One interaction present on both sides with different content. */
interface ChangedInteraction {
  before: Interaction;
  after: Interaction;
  differences: FieldDifference[];
}

/** The structured difference between two cassettes. */
export interface CassetteDiff {
  added: Interaction[];
  removed: Interaction[];
  changed: ChangedInteraction[];
  unchanged: number;
}

function comparable(interaction: Interaction): Json {
  const { request, response, error, usage, kind, boundary } = interaction;
  return { kind, boundary: boundaryKey(kind, boundary), request, response: response ?? null, error: (error as Json | undefined) ?? null, usage };
}

/**
 * Pairs and compares the interactions of two cassettes.
 *
 * @example
 * const result = diffCassettes(original, derived);
 * result.changed[0].differences; // [{ path: 'response.json.temp', expected: 15, received: 16 }]
 */
export function diffCassettes(before: CassetteDocument, after: CassetteDocument): CassetteDiff {
  const unpaired = new Set(before.interactions);
  const pairs: [Interaction, Interaction][] = [];
  const leftover: Interaction[] = [];
  for (const candidate of after.interactions) {
    const sameKey = candidate.match_key ? [...unpaired].find((b) => b.match_key === candidate.match_key && b.kind === candidate.kind) : undefined;
    if (sameKey) {
      unpaired.delete(sameKey);
      pairs.push([sameKey, candidate]);
    } else {
      leftover.push(candidate);
    }
  }
  const added: Interaction[] = [];
  for (const candidate of leftover) {
    // Boundaries as matching compares them: a live run writes `h:1` where a Python-written original has `http://h:1`.
    const onBoundary = [...unpaired].find((b) => b.kind === candidate.kind && sameBoundary(b.kind, b.boundary, candidate.boundary));
    if (onBoundary) {
      unpaired.delete(onBoundary);
      pairs.push([onBoundary, candidate]);
    } else {
      added.push(candidate);
    }
  }
  const changed: ChangedInteraction[] = [];
  let unchanged = 0;
  for (const [b, a] of pairs) {
    const differences = diffFields(comparable(b), comparable(a));
    if (differences.length === 0) unchanged++;
    else changed.push({ before: b, after: a, differences });
  }
  changed.sort((x, y) => x.after.index - y.after.index);
  return { added, removed: [...unpaired], changed, unchanged };
}

/**
 * True when the two cassettes hold the same interactions.
 *
 * @example
 * if (!isEmptyDiff(result)) process.exitCode = 1;
 */
export function isEmptyDiff(result: CassetteDiff): boolean {
  return result.added.length === 0 && result.removed.length === 0 && result.changed.length === 0;
}

function heading(sign: string, interaction: Interaction): string {
  return `${sign} #${interaction.index} ${interaction.kind}:${interaction.boundary}  ${describeInteraction(interaction)}`;
}

/**
 * Renders a diff: `~` changed (with field paths), `+` added, `-` removed, then a summary line.
 *
 * @example
 * console.log(formatCassetteDiff('a.yaml', 'a.derived.yaml', result));
 */
export function formatCassetteDiff(beforeName: string, afterName: string, result: CassetteDiff): string {
  const lines = [`--- ${beforeName}`, `+++ ${afterName}`];
  for (const change of result.changed) {
    lines.push(heading('~', change.after));
    lines.push(formatDifferences(change.differences, 50).replace(/^ {2}/gm, '    '));
  }
  for (const interaction of result.added) lines.push(heading('+', interaction));
  for (const interaction of result.removed) lines.push(heading('-', interaction));
  lines.push(`${result.changed.length} changed, ${result.added.length} added, ${result.removed.length} removed, ${result.unchanged} unchanged` + (isEmptyDiff(result) ? ' (identical interactions)' : ''));
  return lines.join('\n');
}
