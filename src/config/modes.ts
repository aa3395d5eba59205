/**
 * Record modes (see docs/configuration.md) and the rule that picks one for a test.
 */
import { ConfigError } from '../errors';

/**
 * Every valid mode, in the order they are listed to users.
 *
 * @example
 * MODES.join(', '); // 'none, once, new_episodes, all, record'
 */
export const MODES = ['none', 'once', 'new_episodes', 'all', 'record'] as const;

/** A record mode. `record` is an alias of `all`. */
export type Mode = (typeof MODES)[number];

/** Where a mode came from, highest precedence first. */
export type ModeSource = 'test' | 'docblock' | 'env' | 'config' | 'default';

/** A mode with its provenance, after the CI rule was applied. */
export interface ResolvedMode {
  /** The mode in force. */
  mode: Mode;
  /** Where the chosen value came from. */
  source: ModeSource;
  /**
   * The recording mode that was asked for but refused because Jest runs in CI
   * and the mode did not come from `AGENTTAPE_MODE`; `mode` is then `none`.
   */
  refusedInCi?: { mode: Mode; source: ModeSource };
}

/**
 * Validates a mode value.
 *
 * @example
 * parseMode('record', 'AGENTTAPE_MODE'); // 'record'
 * parseMode('recrd', 'AGENTTAPE_MODE');  // throws ConfigError listing every mode
 */
export function parseMode(value: unknown, where: string): Mode {
  if (typeof value === 'string' && (MODES as readonly string[]).includes(value)) return value as Mode;
  throw new ConfigError(`Invalid mode ${JSON.stringify(value)} in ${where}. Valid modes: ${MODES.join(', ')}.`);
}

/**
 * True for modes that may write a cassette.
 *
 * @example
 * isRecordingMode('once'); // true
 * isRecordingMode('none'); // false
 */
export function isRecordingMode(mode: Mode): boolean {
  return mode !== 'none';
}

/**
 * True for modes that ignore what a cassette holds and record everything afresh.
 *
 * @example
 * isRecordAll('record'); // true (an alias of `all`)
 * isRecordAll('new_episodes'); // false
 */
export function isRecordAll(mode: Mode): boolean {
  return mode === 'all' || mode === 'record';
}

/** Candidate values for each source; undefined when that source is silent. */
export interface ModeInputs {
  test?: Mode;
  docblock?: Mode;
  env?: Mode;
  config?: Mode;
  /** Jest's `globalConfig.ci`. */
  ci: boolean;
}

/**
 * Picks the mode by precedence (test option, docblock, `AGENTTAPE_MODE`,
 * config, `none`) and applies the CI rule: in CI only `AGENTTAPE_MODE` may record;
 * a recording mode from anywhere else is passed over (an explicit `AGENTTAPE_MODE`
 * then applies) and otherwise falls back to `none`.
 *
 * @example
 * resolveMode({ docblock: 'all', ci: true }); // { mode: 'none', source: 'default', refusedInCi: { mode: 'all', source: 'docblock' } }
 */
export function resolveMode(inputs: ModeInputs): ResolvedMode {
  const order: ModeSource[] = ['test', 'docblock', 'env', 'config'];
  let refusedInCi: ResolvedMode['refusedInCi'];
  for (const source of order) {
    const mode = inputs[source as Exclude<ModeSource, 'default'>];
    if (mode === undefined) continue;
    // In CI a recording mode from code, docblock or config is passed over, so an explicit
    // AGENTTAPE_MODE still applies: the command the refusal message prints must work.
    if (inputs.ci && source !== 'env' && isRecordingMode(mode)) {
      refusedInCi ??= { mode, source };
      continue;
    }
    if (refusedInCi && source !== 'env') break;
    return { mode, source };
  }
  return refusedInCi ? { mode: 'none', source: 'default', refusedInCi } : { mode: 'none', source: 'default' };
}

/**
 * The mode `AGENTTAPE_MODE` sets, if any (an empty value sets none).
 *
 * @example
 * modeFromEnvironment(); // 'record' under AGENTTAPE_MODE=record
 */
export function modeFromEnvironment(env: NodeJS.ProcessEnv = process.env): Mode | undefined {
  const value = env.AGENTTAPE_MODE;
  return value === undefined || value === '' ? undefined : parseMode(value, 'the AGENTTAPE_MODE environment variable');
}

/**
 * Whether the `CI` variable says this process runs in CI (outside Jest, which decides for itself).
 *
 * @example
 * isCiEnvironment({ CI: 'true' }); // true
 */
export function isCiEnvironment(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}
