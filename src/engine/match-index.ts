/**
 * The lookup structure behind replay: recordings indexed by the key of each
 * matcher in the chain, so a request is found by one map lookup per matcher
 * instead of a scan. Identical requests are served in recorded order, each
 * recording once (see docs/format.md, "Matching").
 */
import type { Interaction } from '../cassette/cassette-schema';
import type { Json } from '../json';
import type { AgentTapeConfig, MatcherSpec } from '../config/config';
import { unifyBodyForm } from './body-form';
import { boundaryKey } from './boundary-key';
import { canonicalizeRequest, canonicalOptions, computeMatchKey, stableStringify, type CanonicalOptions } from './canonical-request';

/** A request as the engine sees it: kind, boundary and the stored (redacted) request. */
export interface IncomingRequest {
  kind: Interaction['kind'];
  boundary: string;
  request: { [key: string]: Json };
}

type MatcherKey = (request: IncomingRequest) => string;

function keyingFor(spec: MatcherSpec, config: AgentTapeConfig): MatcherKey {
  // Boundaries are compared by their key: `http://h:1` (the Python AgentTape's form) is `h:1` (docs/python-interop.md).
  const scope = (r: IncomingRequest) => `${r.kind}\u0000${boundaryKey(r.kind, r.boundary)}\u0000`;
  if (spec === 'ordered') return scope;
  if (typeof spec === 'function') return (r) => scope(r) + String(spec(r.request));
  const options = canonicalOptions(config, spec === 'exact');
  return (r) => scope(r) + stableStringify(comparedRequest(r.request, options));
}

/**
 * Recordings of one cassette, indexed for every matcher of the chain.
 *
 * @example
 * const index = new MatchIndex(doc.interactions, config);
 * const hit = index.take(incoming); // the recording to replay, now marked used
 */
export class MatchIndex {
  private readonly keyings: MatcherKey[];
  // Each queue lists positions in recorded order; `head` skips what was served, so taking
  // is O(1) even when thousands of recordings share a key (the `ordered` matcher).
  private readonly queues: Map<string, { positions: number[]; head: number }>[];
  /** How many recordings, from the first, each matcher's queues hold so far. */
  private readonly indexed: number[];
  private readonly used = new Set<number>();

  constructor(
    private readonly recordings: readonly Interaction[],
    config: AgentTapeConfig,
  ) {
    this.keyings = config.matchers.map((spec) => keyingFor(spec, config));
    this.queues = this.keyings.map(() => new Map<string, { positions: number[]; head: number }>());
    this.indexed = this.keyings.map(() => 0);
  }

  /**
   * Finds the first unused recording that matches, without using it.
   *
   * @example
   * const position = index.find(incoming); // the same answer until `use(position)`
   */
  find(incoming: IncomingRequest): number | undefined {
    for (let m = 0; m < this.keyings.length; m++) {
      const key = this.keyings[m](incoming);
      const found = this.firstUnused(this.queues[m].get(key));
      if (found !== undefined) return found;
      // Recordings are keyed as far as a request needs (tests mostly ask in recorded order), so a
      // large cassette's first response does not wait for every request to be keyed; the queues
      // stay in recorded order, so the answer is the same as with every recording keyed.
      while (this.indexed[m] < this.recordings.length) {
        const position = this.indexed[m]++;
        const recordingKey = this.keyings[m](this.recordings[position]);
        const queue = this.queues[m].get(recordingKey);
        if (queue) queue.positions.push(position);
        else this.queues[m].set(recordingKey, { positions: [position], head: 0 });
        if (recordingKey === key && !this.used.has(position)) return position;
      }
    }
    return undefined;
  }

  /** The first position of a queue not served yet. */
  private firstUnused(queue: { positions: number[]; head: number } | undefined): number | undefined {
    if (!queue) return undefined;
    // Entries another matcher of the chain served sit at the front: pass over them.
    while (queue.head < queue.positions.length && this.used.has(queue.positions[queue.head])) queue.head++;
    return queue.head < queue.positions.length ? queue.positions[queue.head] : undefined;
  }

  /**
   * Marks a recording served: {@link MatchIndex.find} passes over it from now on.
   *
   * @example
   * index.use(index.find(incoming)!);
   */
  use(position: number): void {
    this.used.add(position);
  }

  /**
   * Finds the first unused recording that matches, marks it used and returns its position.
   *
   * @example
   * index.take(incoming); // 0, then 2 for the next identical request
   */
  take(incoming: IncomingRequest): number | undefined {
    const position = this.find(incoming);
    if (position !== undefined) this.use(position);
    return position;
  }

  /** Positions of recordings served so far. */
  usedPositions(): ReadonlySet<number> {
    return this.used;
  }
}

/**
 * The canonical form a request is matched in: its body in the one form both
 * recorders of the format agree on (src/engine/body-form.ts), then canonicalized.
 * Miss reports and `toMatchRecording` show requests in this form too.
 *
 * @example
 * comparedRequest({ method: 'post', url: 'https://x/a', text: '{"q": "hi"}' }, options); // { method: 'POST', url: 'https://x/a', json: { q: 'hi' } }
 */
export function comparedRequest(request: { [key: string]: Json }, options: CanonicalOptions): { [key: string]: Json } {
  return canonicalizeRequest(unifyBodyForm(request), options);
}

/**
 * The canonical options of the first matcher, used for match keys and miss reports.
 *
 * @example
 * const options = primaryCanonicalOptions(config);
 */
export function primaryCanonicalOptions(config: AgentTapeConfig): CanonicalOptions {
  return canonicalOptions(config, config.matchers[0] === 'exact');
}

/**
 * The `match_key` written for a request (docs/format.md, "Matching"): `sha256:`
 * of the request canonicalized with the first matcher's options. The one
 * recipe every writer of `match_key` uses — the HTTP handler, the boundary
 * recorder, `agenttape redact` and the nock import — so a recording made live
 * and one rewritten by a tool carry the same key. The body is hashed in the
 * form it was stored in (not the unified form of {@link comparedRequest}), so
 * keys written by earlier versions stay valid.
 *
 * @example
 * matchKeyOf({ method: 'GET', url: 'https://api.x.com/v1?b=2&a=1' }, config); // 'sha256:…' (same as for '?a=1&b=2')
 */
export function matchKeyOf(request: { [key: string]: Json }, config: AgentTapeConfig): string {
  return computeMatchKey(canonicalizeRequest(request, primaryCanonicalOptions(config)));
}
