/**
 * Where `live` and `frozen` come from, most specific first: `cassette.use()`
 * (or `useCassette` options), the file's `@agenttape-live` /
 * `@agenttape-frozen` docblock, then the configuration. A more specific layer
 * that sets either list replaces both lists of the layers below it.
 */
import { applyOptions, type AgentTapeConfig } from '../config/config';
import { PartialReplay, parsePartialPragma } from './partial-replay';

/** The partial-replay part of per-test options. */
export interface PartialOptions {
  live?: string[];
  frozen?: string[];
}

/**
 * The configuration of one test file after its docblock pragmas. Setting both
 * pragmas is a `ConfigError`, as in the configuration.
 *
 * @example
 * withPartialPragmas(config, { 'agenttape-live': 'llm' }, 'src/a.test.ts', rootDir).live; // ['llm']
 */
export function withPartialPragmas(config: AgentTapeConfig, pragmas: Record<string, string | string[]>, testFile: string, rootDir: string): AgentTapeConfig {
  const live = parsePartialPragma(pragmas['agenttape-live']);
  const frozen = parsePartialPragma(pragmas['agenttape-frozen']);
  if (live === undefined && frozen === undefined) return config;
  return applyOptions(config, { live: live ?? [], frozen: frozen ?? [] }, `the @agenttape-live / @agenttape-frozen docblock of ${testFile}`, rootDir);
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
