/**
 * Partial replay (see docs/boundaries.md, "Partial replay"): which boundaries run for real in replay (`live`)
 * and which are served from the cassette while recording (`frozen`). A token
 * is a kind (`llm`, `tool`, `http`…), a boundary name (`charge_card`, a host
 * such as `api.weather.com`), or `*` for everything. A host token names the same
 * boundary in either form, `api.weather.com` or `https://api.weather.com`, as
 * matching does (docs/python-interop.md).
 */
import type { InteractionKind } from '../cassette/cassette-schema';
import { applyOptions, type AgentTapeConfig } from '../config/config';
import { sameBoundary } from './boundary-key';

/** How partial replay treats one boundary. */
type PartialScope = 'live' | 'frozen' | 'default';

function coversOne(token: string, kind: InteractionKind, boundary: string): boolean {
  return token === '*' || token === kind || sameBoundary(kind, token, boundary);
}

function covers(tokens: readonly string[], kind: InteractionKind, boundary: string): boolean {
  return tokens.some((token) => coversOne(token, kind, boundary));
}

/**
 * The `live` and `frozen` lists in force for one test.
 *
 * @example
 * const partial = new PartialReplay(['llm'], []);
 * partial.scopeOf('llm', 'llm');          // 'live'
 * partial.scopeOf('tool', 'charge_card'); // 'default'
 * new PartialReplay(['http://127.0.0.1:8080'], []).scopeOf('http', '127.0.0.1:8080'); // 'live'
 */
export class PartialReplay {
  constructor(
    readonly live: readonly string[] = [],
    readonly frozen: readonly string[] = [],
  ) {}

  /** Whether a boundary is live, frozen, or follows the mode. */
  scopeOf(kind: InteractionKind, boundary: string): PartialScope {
    if (covers(this.live, kind, boundary)) return 'live';
    if (covers(this.frozen, kind, boundary)) return 'frozen';
    return 'default';
  }

  /**
   * The `frozen` tokens that cover a boundary, for messages that say why it is frozen.
   *
   * @example
   * new PartialReplay([], ['tool']).frozenBy('tool', 'charge_card'); // ['tool']
   */
  frozenBy(kind: InteractionKind, boundary: string): string[] {
    return this.frozen.filter((token) => coversOne(token, kind, boundary));
  }

  /** True when neither list is set. */
  get empty(): boolean {
    return this.live.length === 0 && this.frozen.length === 0;
  }
}

/** The partial-replay part of per-test options. */
interface PartialOptions {
  live?: string[];
  frozen?: string[];
}

/**
 * The partial replay asked for by per-test options, validated; undefined when
 * the options set neither list.
 *
 * @example
 * partialReplayFor(config, { live: ['llm'] }, 'cassette.use()')?.live; // ['llm']
 */
export function partialReplayFor(config: AgentTapeConfig, options: PartialOptions, where: string): PartialReplay | undefined {
  if (options.live === undefined && options.frozen === undefined) return undefined;
  const next = applyOptions(config, { live: options.live ?? [], frozen: options.frozen ?? [] }, where, config.cassetteDir);
  return new PartialReplay(next.live, next.frozen);
}
