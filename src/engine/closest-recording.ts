/**
 * Explains a miss: finds the recording closest to an unmatched request (fewest
 * differing fields) and lists the differences as paths, the way VCR.py lists
 * which matchers failed — but down to `json.messages[2].content`.
 */
import { isJsonObject, type Json } from '../json';

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
  if (isJsonObject(expected) && isJsonObject(received)) {
    const out: FieldDifference[] = [];
    const keys = new Set([...Object.keys(expected), ...Object.keys(received)]);
    for (const key of [...keys].sort()) out.push(...diffFields(expected[key], received[key], joinPath(prefix, key)));
    return out;
  }
  if (JSON.stringify(expected) === JSON.stringify(received)) return [];
  return [{ path: prefix || '(request)', expected, received }];
}

/** A recording that could have matched, with its canonical request. */
interface Candidate<T> {
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
