/**
 * `agenttape redact`: re-applies the current redaction rules to a cassette that
 * was recorded under older rules (or edited by hand). Only values the rules
 * call secret change; match keys are recomputed for requests that changed so
 * the cassette still replays.
 */
import type { CassetteDocument, Interaction } from '../cassette/cassette-schema';
import type { Json } from '../json';
import type { AgentTapeConfig } from '../config/config';
import { diffFields } from '../engine/closest-recording';
import { matchKeyOf } from '../engine/match-index';
import { Redactor } from '../redact/redactor';

/** What redaction changed in one cassette. */
export interface RedactionResult {
  document: CassetteDocument;
  /** Paths of the values that were replaced. */
  changedPaths: string[];
}

/**
 * Redacts a cassette with the configured rules; the input is not modified.
 *
 * @example
 * const { document, changedPaths } = redactCassette(doc, config);
 * if (changedPaths.length) writeCassetteFile(file, document);
 */
export function redactCassette(doc: CassetteDocument, config: AgentTapeConfig): RedactionResult {
  const redactor = new Redactor(config.redact);
  const changedPaths: string[] = [];
  const interactions = doc.interactions.map((interaction, i): Interaction => {
    const request = redactor.redactValue(interaction.request) as Interaction['request'];
    const next: Interaction = { ...interaction, request, metadata: redactor.redactValue(interaction.metadata) as Interaction['metadata'] };
    if (interaction.error) next.error = redactor.redactValue(interaction.error as Json) as unknown as Interaction['error'];
    else next.response = redactor.redactValue(interaction.response ?? null);
    const differences = diffFields(interaction as unknown as Json, next as unknown as Json, `interactions[${i}]`);
    if (differences.length > 0) {
      changedPaths.push(...differences.map((d) => d.path));
      if (diffFields(interaction.request, request).length > 0 && interaction.match_key) {
        next.match_key = matchKeyOf(request, config);
      }
    }
    return next;
  });
  const meta = redactor.redactValue(doc.meta) as CassetteDocument['meta'];
  changedPaths.push(...diffFields(doc.meta, meta, 'meta').map((d) => d.path));
  return { document: { ...doc, meta, interactions }, changedPaths };
}
