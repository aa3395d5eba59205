/**
 * `agenttape timeline`: an ASCII waterfall of a cassette. Interactions are
 * laid end to end in recorded order, each bar as long as its latency, so the
 * slow step of an agent run stands out.
 */
import type { CassetteDocument } from '../cassette/cassette-schema';
import { describeInteraction } from './interaction-facts';

/**
 * Draws the waterfall, `width` characters for the whole run.
 *
 * @example
 * console.log(renderTimeline(doc, 40));
 */
export function renderTimeline(doc: CassetteDocument, width = 40): string {
  const latencies = doc.interactions.map((interaction) => Math.max(0, interaction.latency_ms ?? 0));
  const total = latencies.reduce((a, b) => a + b, 0);
  const scale = total > 0 ? width / total : 0;
  const labels = doc.interactions.map((interaction) => `${interaction.index} ${interaction.kind}:${interaction.boundary}`);
  const labelWidth = Math.max(0, ...labels.map((label) => label.length));
  let elapsed = 0;
  const lines = doc.interactions.map((interaction, i) => {
    const start = Math.round(elapsed * scale);
    elapsed += latencies[i];
    const length = Math.max(1, Math.round(elapsed * scale) - start);
    const bar = `${' '.repeat(start)}${'#'.repeat(length)}`.padEnd(width + 1);
    const latency = interaction.latency_ms === null ? '      -' : `${Math.round(latencies[i])} ms`.padStart(7);
    return `${labels[i].padEnd(labelWidth)} |${bar}| ${latency}  ${describeInteraction(interaction)}`;
  });
  const axis = `${''.padEnd(labelWidth)} 0${' '.repeat(Math.max(0, width - String(Math.round(total)).length - 2))}${Math.round(total)} ms`;
  return [...lines, axis, `${doc.interactions.length} interactions, ${Math.round(total)} ms in total`].join('\n');
}
