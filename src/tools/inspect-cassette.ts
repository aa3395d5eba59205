/**
 * `agenttape inspect`: what a cassette holds — each interaction, its latency
 * and tokens, and an estimated cost from a price table.
 */
import type { CassetteDocument } from '../cassette/cassette-schema';
import { describeInteraction, modelOf, tokensOf } from './interaction-facts';
import { costOf, priceOf, type PriceTable } from './price-table';

/** One row of the inspection. */
interface InspectedInteraction {
  index: number;
  kind: string;
  boundary: string;
  label: string;
  latencyMs: number | null;
  inputTokens: number;
  outputTokens: number;
  /** USD, or null when the model has no price. */
  cost: number | null;
}

/** The inspection of one cassette. */
export interface CassetteInspection {
  testName: string;
  rows: InspectedInteraction[];
  totals: { interactions: number; llmCalls: number; latencyMs: number; inputTokens: number; outputTokens: number; cost: number; unpricedModels: string[] };
}

/**
 * Summarizes a cassette.
 *
 * @example
 * const inspection = inspectCassette(doc, DEFAULT_PRICES);
 */
export function inspectCassette(doc: CassetteDocument, prices: PriceTable): CassetteInspection {
  const unpriced = new Set<string>();
  const rows = doc.interactions.map((interaction): InspectedInteraction => {
    const tokens = tokensOf(interaction);
    const model = modelOf(interaction);
    const price = priceOf(model, prices);
    const hasTokens = tokens.input + tokens.output > 0;
    if (hasTokens && !price) unpriced.add(model ?? '(unknown model)');
    return {
      index: interaction.index,
      kind: interaction.kind,
      boundary: interaction.boundary,
      label: describeInteraction(interaction),
      latencyMs: interaction.latency_ms,
      inputTokens: tokens.input,
      outputTokens: tokens.output,
      cost: hasTokens && price ? costOf(tokens, price) : null,
    };
  });
  const sum = (pick: (row: InspectedInteraction) => number) => rows.reduce((total, row) => total + pick(row), 0);
  return {
    testName: typeof doc.meta.test_name === 'string' ? doc.meta.test_name : '',
    rows,
    totals: {
      interactions: rows.length,
      llmCalls: rows.filter((row) => row.kind === 'llm').length,
      latencyMs: sum((row) => row.latencyMs ?? 0),
      inputTokens: sum((row) => row.inputTokens),
      outputTokens: sum((row) => row.outputTokens),
      cost: sum((row) => row.cost ?? 0),
      unpricedModels: [...unpriced],
    },
  };
}

function formatCost(usd: number): string {
  return `$${usd < 0.01 && usd > 0 ? usd.toFixed(6) : usd.toFixed(4)}`;
}

function formatLatency(ms: number | null): string {
  return ms === null ? '-' : `${Math.round(ms)} ms`;
}

/**
 * Renders an inspection as a text table.
 *
 * @example
 * console.log(formatInspection('cassettes/a.yaml', inspection));
 */
export function formatInspection(file: string, inspection: CassetteInspection): string {
  const header = ['#', 'kind', 'boundary', 'latency', 'tokens in/out', 'cost', 'interaction'];
  const body = inspection.rows.map((row) => [
    String(row.index),
    row.kind,
    row.boundary,
    formatLatency(row.latencyMs),
    row.inputTokens + row.outputTokens > 0 ? `${row.inputTokens}/${row.outputTokens}` : '-',
    row.cost === null ? '-' : formatCost(row.cost),
    row.label,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ');
  const { totals } = inspection;
  const lines = [
    `${file}${inspection.testName ? `  (${inspection.testName})` : ''}`,
    line(header),
    ...body.map(line),
    `${totals.interactions} interactions (${totals.llmCalls} LLM), ${formatLatency(totals.latencyMs)} recorded latency, ` +
      `${totals.inputTokens} input + ${totals.outputTokens} output tokens, estimated cost ${formatCost(totals.cost)}`,
  ];
  if (totals.unpricedModels.length > 0) {
    lines.push(`no price for ${totals.unpricedModels.join(', ')}: pass --prices FILE to include them in the cost`);
  }
  return lines.join('\n');
}
