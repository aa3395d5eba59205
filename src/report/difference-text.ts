/**
 * Renders the field differences of a miss (src/engine/closest-recording.ts)
 * as text: one line per field, and a line diff for long or multi-line strings.
 */
import type { DiffOptions } from 'jest-diff';
import type { Json } from '../json';
import type { FieldDifference } from '../engine/closest-recording';

const PLAIN: DiffOptions = {
  aAnnotation: 'Recorded',
  bAnnotation: 'Received',
  aColor: (s: string) => s,
  bColor: (s: string) => s,
  changeColor: (s: string) => s,
  commonColor: (s: string) => s,
  patchColor: (s: string) => s,
  expand: false,
  contextLines: 2,
};

const LONG_STRING = 80;

function show(value: Json | undefined): string {
  if (value === undefined) return '(absent)';
  if (typeof value === 'string') return `'${value}'`;
  return JSON.stringify(value);
}

function truncate(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}… (${text.length} chars)` : text;
}

/**
 * Renders differences one per line; long or multi-line strings become a line diff.
 *
 * @example
 * formatDifferences([{ path: 'json.q', expected: 'a', received: 'b' }]); // "  json.q: expected 'a', received 'b'"
 */
export function formatDifferences(differences: FieldDifference[], limit = 20): string {
  const lines: string[] = [];
  for (const d of differences.slice(0, limit)) {
    const { expected, received } = d;
    const long = typeof expected === 'string' && typeof received === 'string' && (expected.length > LONG_STRING || received.length > LONG_STRING || expected.includes('\n') || received.includes('\n'));
    if (long) {
      // Loaded here, not at import: only an unmatched request needs it, and it costs ~35 ms per Jest worker.
      const { diff } = require('jest-diff') as typeof import('jest-diff');
      const rendered = diff(expected.replace(/([.!?]) /g, '$1\n'), received.replace(/([.!?]) /g, '$1\n'), PLAIN) ?? '';
      lines.push(`  ${d.path}: differs`);
      lines.push(...rendered.split('\n').map((l) => `    ${l}`.trimEnd()));
    } else if (received === undefined) {
      lines.push(`  ${d.path}: expected ${truncate(show(expected))}, received nothing (field missing)`);
    } else if (expected === undefined) {
      lines.push(`  ${d.path}: not in the recording, received ${truncate(show(received))}`);
    } else {
      lines.push(`  ${d.path}: expected ${truncate(show(expected))}, received ${truncate(show(received))}`);
    }
  }
  if (differences.length > limit) lines.push(`  … and ${differences.length - limit} more differences`);
  return lines.join('\n');
}
