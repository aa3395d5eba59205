/**
 * The determinism values of one cassette (see docs/configuration.md, "Freeze"): the frozen clock, the
 * UUID sequence, the random seed and the environment snapshot. A session
 * either replays the values stored in `meta.freeze` or creates fresh ones, and
 * gives back what to store. It patches nothing itself: `SandboxFreeze` does.
 */
import nodeCrypto = require('node:crypto');
import { isJsonObject, type Json } from '../json';
import { FREEZE_FEATURES, type FreezeFeature } from '../config/freeze-features';
import { createSeededRandom } from './seeded-random';

// Taken before any sandbox patches `node:crypto`, which is shared with the sandbox.
const nativeRandomUUID = nodeCrypto.randomUUID;
const { createHash, randomInt } = nodeCrypto;

/** One environment variable whose value differs from the recording. */
export interface EnvDrift {
  name: string;
  recorded: string | null;
  current: string | null;
}

/** Where a session's values come from. */
export interface FreezeSessionInputs {
  /** The features in force (`config.freeze`). */
  features: readonly string[];
  /** `meta.freeze` of the cassette, when it is replayed; undefined to start fresh. */
  recorded?: Json;
  /** Variables to snapshot (`config.envSnapshot`). */
  envSnapshot: readonly string[];
  /** The environment the test sees. */
  env: Record<string, string | undefined>;
  /** The real current time in ms, for a fresh clock. */
  realNow: number;
}

function asObject(value: Json | undefined): { [key: string]: Json } {
  return isJsonObject(value) ? value : {};
}

/** A UUID v4 derived from a seed and a position, for calls beyond the recorded sequence. */
function derivedUuid(seed: number, position: number): string {
  const hex = createHash('sha256').update(`agenttape-uuid:${seed}:${position}`).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function recordedBaseMs(freeze: { [key: string]: Json }): number | undefined {
  if (typeof freeze.base_iso === 'string') {
    const parsed = Date.parse(freeze.base_iso);
    if (!Number.isNaN(parsed)) return parsed;
  }
  // The Python AgentTape stores seconds since the epoch as a float.
  if (typeof freeze.base_time === 'number' && Number.isFinite(freeze.base_time)) return Math.round(freeze.base_time * 1000);
  return undefined;
}

/**
 * The frozen values of one cassette.
 *
 * @example
 * const session = new FreezeSession({ features: ['clock'], envSnapshot: [], env: process.env, realNow: Date.now() });
 * session.now(); // the same value for the whole test
 * session.toMeta(); // what the cassette's meta.freeze holds
 */
export class FreezeSession {
  readonly features: ReadonlySet<string>;
  /** The frozen time, ms since the epoch. */
  readonly baseMs: number;
  readonly randomSeed: number;
  /** Variables whose value differs from the recording (empty when starting fresh). */
  readonly drift: EnvDrift[] = [];
  private readonly uuids: string[];
  private uuidPosition = 0;
  private readonly nextRandom: () => number;
  private readonly env: { [key: string]: string | null };
  private readonly envSnapshot: readonly string[];
  /** True when the values come from a cassette rather than from this run. */
  readonly replaying: boolean;

  constructor(inputs: FreezeSessionInputs) {
    const recorded = asObject(inputs.recorded);
    this.replaying = Object.keys(recorded).length > 0;
    this.features = new Set(inputs.features);
    this.baseMs = recordedBaseMs(recorded) ?? inputs.realNow;
    this.randomSeed = typeof recorded.random_seed === 'number' ? recorded.random_seed >>> 0 : randomInt(0, 2 ** 31);
    this.nextRandom = createSeededRandom(this.randomSeed);
    this.uuids = Array.isArray(recorded.uuids) ? recorded.uuids.filter((u): u is string => typeof u === 'string') : [];
    this.envSnapshot = inputs.envSnapshot;
    const recordedEnv = asObject(recorded.env);
    this.env = {};
    for (const name of inputs.envSnapshot) {
      const current = inputs.env[name] ?? null;
      if (name in recordedEnv) {
        const before = recordedEnv[name];
        const value = typeof before === 'string' ? before : null;
        this.env[name] = value;
        if (value !== current) this.drift.push({ name, recorded: value, current });
      } else {
        this.env[name] = current;
      }
    }
  }

  /** True when this feature is frozen. */
  has(feature: FreezeFeature): boolean {
    return this.features.has(feature);
  }

  /** The frozen clock. */
  now(): number {
    return this.baseMs;
  }

  /**
   * The next UUID: the recorded sequence first; after it, fresh ones when the
   * sequence started fresh, or ones derived from the seed when replaying, so a
   * replay that asks for more is still deterministic. Every value is kept.
   */
  nextUuid(): string {
    const position = this.uuidPosition++;
    if (position < this.uuids.length) return this.uuids[position];
    const value = this.replaying ? derivedUuid(this.randomSeed, position) : nativeRandomUUID();
    this.uuids.push(value);
    return value;
  }

  /** The next seeded random number in [0, 1). */
  random(): number {
    return this.nextRandom();
  }

  /** What to store in `meta.freeze`. */
  toMeta(): { [key: string]: Json } {
    const meta: { [key: string]: Json } = { features: FREEZE_FEATURES.filter((f) => this.features.has(f)) };
    if (this.has('clock')) {
      meta.base_time = this.baseMs / 1000;
      meta.base_iso = new Date(this.baseMs).toISOString();
    }
    if (this.has('random')) meta.random_seed = this.randomSeed;
    if (this.has('uuid')) meta.uuids = [...this.uuids];
    if (this.envSnapshot.length > 0) meta.env = { ...this.env };
    return meta;
  }
}
