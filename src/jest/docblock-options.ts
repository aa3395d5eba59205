/**
 * What a test file's docblock sets (see docs/configuration.md): its mode
 * (`@agenttape-mode`) and its partial replay (`@agenttape-live`,
 * `@agenttape-frozen`). A docblock layer sits between `cassette.use()` and the
 * configuration; setting either list replaces both lists of the layers below.
 */
import { applyOptions, type AgentTapeConfig } from '../config/config';
import { parseMode, type Mode } from '../config/modes';

type Pragmas = Record<string, string | string[]>;

/**
 * Reads a docblock pragma value (`@agenttape-live llm, charge_card`) as tokens.
 *
 * @example
 * parsePartialPragma('llm, charge_card'); // ['llm', 'charge_card']
 */
export function parsePartialPragma(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(/[\s,]+/)).filter((token) => token !== '');
}

/**
 * The configuration of one test file after its docblock pragmas. Setting both
 * pragmas is a `ConfigError`, as in the configuration.
 *
 * @example
 * withPartialPragmas(config, { 'agenttape-live': 'llm' }, 'src/a.test.ts', rootDir).live; // ['llm']
 */
export function withPartialPragmas(config: AgentTapeConfig, pragmas: Pragmas, testFile: string, rootDir: string): AgentTapeConfig {
  const live = parsePartialPragma(pragmas['agenttape-live']);
  const frozen = parsePartialPragma(pragmas['agenttape-frozen']);
  if (live === undefined && frozen === undefined) return config;
  return applyOptions(config, { live: live ?? [], frozen: frozen ?? [] }, `the @agenttape-live / @agenttape-frozen docblock of ${testFile}`, rootDir);
}

/**
 * The mode a test file's `@agenttape-mode` pragma sets, validated; undefined without one.
 *
 * @example
 * docblockMode({ 'agenttape-mode': 'record' }, 'src/a.test.ts'); // 'record'
 */
export function docblockMode(pragmas: Pragmas, testFile: string): Mode | undefined {
  const pragma = pragmas['agenttape-mode'];
  return pragma === undefined ? undefined : parseMode(Array.isArray(pragma) ? pragma[0] : pragma, `the @agenttape-mode docblock of ${testFile}`);
}
