/**
 * Explains a miss: finds the recording closest to an unmatched request (fewest
 * differing fields) and lists the differences as paths, the way VCR.py lists
 * which matchers failed — but down to `json.messages[2].content`.
 */
import type { DiffOptions } from 'jest-diff';
import { isPlainObject, type Json } from '../cassette/cassette-format';

/** One field that differs between a recording and a request. */
export interface FieldDifference {
  /** Path such as `json.messages[2].content`. */
  path: string;
  /** The recorded value; undefined when the field is new. */
  expected: Json | undefined;
  /** The incoming value; undefined when the field is gone. */
  received: Json | undefined;
}

function joinPath(prefix: string, key: string | number): string {
  if (typeof key === 'number') return `${prefix}[${key}]`;
  const safe = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key);
  if (prefix === '') return safe;
  return /^[A-Za-z_$]/.test(safe) ? `${prefix}.${safe}` : `${prefix}[${safe}]`;
}

/**
 * Lists the leaf fields that differ between two JSON values.
 *
 * @example
 * diffFields({ json: { q: 'a' } }, { json: { q: 'b' } }); // [{ path: 'json.q', expected: 'a', received: 'b' }]
 */
export function diffFields(expected: Json | undefined, received: Json | undefined, prefix = ''): FieldDifference[] {
  if (expected === received) return [];
  if (Array.isArray(expected) && Array.isArray(received)) {
    const out: FieldDifference[] = [];
    const length = Math.max(expected.length, received.length);
    for (let i = 0; i < length; i++) out.push(...diffFields(expected[i], received[i], joinPath(prefix, i)));
    return out;
  }
  if (isPlainObject(expected) && isPlainObject(received)) {
    const out: FieldDifference[] = [];
    const keys = new Set([...Object.keys(expected), ...Object.keys(received)]);
    for (const key of [...keys].sort()) out.push(...diffFields(expected[key], received[key], joinPath(prefix, key)));
    return out;
  }
  if (JSON.stringify(expected) === JSON.stringify(received)) return [];
  return [{ path: prefix || '(request)', expected, received }];
}

/** A recording that could have matched, with its canonical request. */
export interface Candidate<T> {
  item: T;
  canonical: Json;
}

/** The closest recording and how it differs. */
export interface Closest<T> {
  item: T;
  differences: FieldDifference[];
}

/**
 * Picks the candidate with the fewest differing fields (earliest on ties).
 *
 * @example
 * findClosest(incoming, candidates)?.differences;
 */
export function findClosest<T>(incoming: Json, candidates: Candidate<T>[]): Closest<T> | undefined {
  let best: Closest<T> | undefined;
  for (const candidate of candidates) {
    const differences = diffFields(candidate.canonical, incoming);
    if (!best || differences.length < best.differences.length) best = { item: candidate.item, differences };
  }
  return best;
}

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
    const long =
      typeof expected === 'string' &&
      typeof received === 'string' &&
      (expected.length > LONG_STRING || received.length > LONG_STRING || expected.includes('\n') || received.includes('\n'));
    if (long) {
      // Loaded here, not at import: only an unmatched request needs it, and it costs ~35 ms per Jest worker.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
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
