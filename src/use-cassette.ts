/**
 * `useCassette` (see docs/boundaries.md, "Outside Jest"): the same engine outside Jest, for scripts and
 * other test runners.
 */
import type { UseCassetteOptions } from './config/config';

/**
 * Runs `fn` with every HTTP request, LLM call and wrapped tool going through
 * the cassette `<cassetteDir>/<name>.yaml` (a `/` in the name makes subfolders).
 * The mode comes from `options.mode`, then `AGENTTAPE_MODE`, then the
 * configuration, then `none`; as in Jest, a recording mode not set by
 * `AGENTTAPE_MODE` is ignored when the `CI` variable is set. `live` and
 * `frozen` work as in Jest (a live run in `none` mode goes to
 * `<name>.derived.yaml`), and `cassette.use()` sets them, the mode or the
 * matchers from inside `fn` as it does in a test. A request the cassette lacks rejects the returned
 * promise with `UnmatchedInteractionError`, even if `fn` caught it. In `none`
 * mode a missing provider key (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`, …) reads
 * as a placeholder while `fn` runs, so SDK clients built inside it construct.
 * The `freeze` features (default: clock, UUIDs, `Math.random`) apply to the
 * process's own `Date`, `crypto.randomUUID` and `Math.random` while `fn` runs,
 * replaying the values in the cassette's `meta.freeze`. Calls
 * cannot be nested or run concurrently: HTTP interception is process-wide.
 *
 * @example
 * const { useCassette } = require('agenttape');
 * const answer = await useCassette('weather/london', { mode: 'once', cassetteDir: 'cassettes' }, () =>
 *   runAgent('What is the weather in London?'),
 * );
 */
export async function useCassette<T>(name: string, options: UseCassetteOptions, fn: () => T | Promise<T>): Promise<T> {
  // Loaded on first use: the interception and the engine are not needed by code that only imports `agenttape`.
  const { runInCassette } = require('./script-cassette') as typeof import('./script-cassette');
  return runInCassette(name, options, fn);
}
