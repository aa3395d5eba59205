/**
 * AgentTape configuration (see docs/configuration.md): one file at the project root —
 * `agenttape.config.json`, or the `agenttape` key of `package.json` — read by
 * both the Jest environment and the CLI, and overridable from Jest's
 * `testEnvironmentOptions.agenttape`. Every key is validated here, once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../errors';
import { CASSETTE_FORMATS, type CassetteFormat } from '../cassette/cassette-path';
import { FREEZE_FEATURES } from './freeze-features';
import { parseMode, type Mode } from './modes';
import { isJsonObject } from '../json';

/** The built-in matchers; a function returning a key is a custom matcher. */
const BUILT_IN_MATCHERS = ['ignore_volatile', 'exact', 'ordered'] as const;

/** A request matcher: a built-in name or a function that returns a match key. */
export type MatcherSpec = (typeof BUILT_IN_MATCHERS)[number] | ((request: unknown) => string);

/** Redaction settings (see docs/redaction.md). */
export interface RedactConfig {
  /** Turn redaction off entirely (not recommended). */
  enabled: boolean;
  /** Extra header or key names whose values are secret. */
  names: string[];
  /** Extra regular expressions (source strings) whose matches are secret. */
  patterns: string[];
  /** What replaces a secret. */
  placeholder: string;
  /** Scrub e-mail addresses. */
  emails: boolean;
}

/** Price of one model for cost estimates, USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

/** Why a price table is invalid: not an object, or one model's price is not `{ input, output }` numbers. */
export type PriceProblem = { kind: 'not-an-object' } | { kind: 'bad-price'; model: string; price: unknown };

/**
 * Checks a price table (`{ "model-prefix": { "input": 2.5, "output": 10 } }`,
 * USD per million tokens; docs/configuration.md): the one rule for the
 * `prices` key and for `agenttape inspect --prices <file>`, each of which
 * words the problem for where the table came from.
 *
 * @example
 * checkPrices({ 'gpt-4o': { input: 2.5, output: 10 } }); // { prices: { 'gpt-4o': { input: 2.5, output: 10 } } }
 * checkPrices({ 'gpt-4o': { input: '2.5' } });          // { problem: { kind: 'bad-price', model: 'gpt-4o', price: { input: '2.5' } } }
 */
export function checkPrices(value: unknown): { prices: Record<string, ModelPrice> } | { problem: PriceProblem } {
  if (!isJsonObject(value)) return { problem: { kind: 'not-an-object' } };
  const prices: Record<string, ModelPrice> = {};
  for (const [model, price] of Object.entries(value)) {
    const p = price as Partial<ModelPrice> | null;
    if (!p || typeof p.input !== 'number' || typeof p.output !== 'number') return { problem: { kind: 'bad-price', model, price } };
    prices[model] = { input: p.input, output: p.output };
  }
  return { prices };
}

/** The validated configuration. */
export interface AgentTapeConfig {
  /** Folder of cassettes, absolute (resolved against rootDir). */
  cassetteDir: string;
  /** Mode from configuration (below docblock and `AGENTTAPE_MODE` in precedence). */
  mode?: Mode;
  /** Matcher chain: the first that finds a recording wins. */
  matchers: MatcherSpec[];
  /** Extra field names dropped before matching, added to the built-in volatile list. */
  ignoreVolatileFields: string[];
  /** Request headers compared when matching: none (false), all non-volatile (true), or these names. */
  matchHeaders: boolean | string[];
  /** Redaction settings. */
  redact: RedactConfig;
  /** What is frozen during a test. */
  freeze: string[];
  /** Environment variables recorded in `meta.freeze.env`. */
  envSnapshot: string[];
  /** Extra hosts (`host`, `host:port` or `*.suffix`) whose requests are `kind: llm`. */
  llmHosts: string[];
  /** Boundaries that run for real in replay. */
  live: string[];
  /** Boundaries served from the cassette in a recording mode. */
  frozen: string[];
  /**
   * Delays between the chunks of a replayed stream: skipped (false, the
   * default), as recorded (true), or scaled by a factor (0.5 replays twice as fast).
   */
  replayDelays: boolean | number;
  /** The file format new cassettes are written in (`.yaml` or `.json` files). */
  format: CassetteFormat;
  /** Model-name prefix -> price, merged over the built-in table by `agenttape inspect`. */
  prices: Record<string, ModelPrice>;
}

/**
 * Keys a user may set, as written in the config file.
 *
 * @example
 * const options: AgentTapeOptions = { mode: 'once', matchers: ['exact'], redact: { headers: ['x-team-token'] } };
 */
export type AgentTapeOptions = Partial<Omit<AgentTapeConfig, 'redact'>> & { redact?: boolean | Partial<RedactConfig> };

/**
 * Options of `useCassette`: any configuration key, plus where the project is.
 *
 * @example
 * await useCassette('nightly eval', () => runAgent(), { rootDir: __dirname, mode: 'none' });
 */
export interface UseCassetteOptions extends AgentTapeOptions {
  /** Folder that relative paths (`cassetteDir`) and `agenttape.config.json` are read from; defaults to `process.cwd()`. */
  rootDir?: string;
}

/**
 * The placeholder written in place of a secret.
 *
 * @example
 * { authorization: REDACTED } // as a recording stores `Authorization: Bearer sk-…`
 */
export const REDACTED = '***REDACTED***';

/** The name of the configuration file at the project root. */
const CONFIG_FILE_NAME = 'agenttape.config.json';

function defaults(rootDir: string): AgentTapeConfig {
  return {
    cassetteDir: path.join(rootDir, 'cassettes'),
    matchers: ['ignore_volatile'],
    ignoreVolatileFields: [],
    matchHeaders: false,
    redact: { enabled: true, names: [], patterns: [], placeholder: REDACTED, emails: true },
    freeze: [...FREEZE_FEATURES],
    envSnapshot: [],
    llmHosts: [],
    live: [],
    frozen: [],
    replayDelays: false,
    format: 'yaml',
    prices: {},
  };
}

function stringList(value: unknown, key: string, where: string, allowed?: readonly string[]): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new ConfigError(`Invalid value for "${key}" in ${where}: expected a list of strings, got ${JSON.stringify(value)}.`);
  }
  const list = value as string[];
  if (allowed) {
    const bad = list.find((v) => !allowed.includes(v));
    if (bad !== undefined) {
      throw new ConfigError(`Invalid value ${JSON.stringify(bad)} in "${key}" in ${where}. Allowed values: ${allowed.join(', ')}.`);
    }
  }
  return [...list];
}

const KEYS: Record<keyof AgentTapeConfig, (value: unknown, where: string, config: AgentTapeConfig, rootDir: string) => void> = {
  cassetteDir(value, where, config, rootDir) {
    if (typeof value !== 'string' || value.trim() === '') {
      throw new ConfigError(`Invalid value for "cassetteDir" in ${where}: expected a folder path, got ${JSON.stringify(value)}.`);
    }
    config.cassetteDir = path.resolve(rootDir, value);
  },
  mode(value, where, config) {
    config.mode = parseMode(value, `"mode" in ${where}`);
  },
  matchers(value, where, config) {
    const list = Array.isArray(value) ? value : [value];
    for (const m of list) {
      if (typeof m !== 'function' && !(BUILT_IN_MATCHERS as readonly unknown[]).includes(m)) {
        throw new ConfigError(`Invalid matcher ${JSON.stringify(m)} in "matchers" in ${where}. Allowed values: ${BUILT_IN_MATCHERS.join(', ')}, or a function returning a key.`);
      }
    }
    if (list.length === 0) throw new ConfigError(`"matchers" in ${where} is empty: give at least one of ${BUILT_IN_MATCHERS.join(', ')}.`);
    config.matchers = list as MatcherSpec[];
  },
  ignoreVolatileFields(value, where, config) {
    config.ignoreVolatileFields = stringList(value, 'ignoreVolatileFields', where);
  },
  matchHeaders(value, where, config) {
    if (typeof value !== 'boolean' && !(Array.isArray(value) && value.every((v) => typeof v === 'string'))) {
      throw new ConfigError(`Invalid value for "matchHeaders" in ${where}: expected true (every non-volatile header), false (none) or a list of header names, got ${JSON.stringify(value)}.`);
    }
    config.matchHeaders = typeof value === 'boolean' ? value : value.map((h) => h.toLowerCase());
  },
  redact(value, where, config) {
    if (typeof value === 'boolean') {
      config.redact = { ...config.redact, enabled: value };
      return;
    }
    if (!isJsonObject(value)) {
      throw new ConfigError(`Invalid value for "redact" in ${where}: expected true, false or an object with names, patterns, placeholder, emails.`);
    }
    const redact = { ...config.redact };
    for (const [key, v] of Object.entries(value)) {
      if (key === 'enabled' || key === 'emails') {
        if (typeof v !== 'boolean') throw new ConfigError(`Invalid value for "redact.${key}" in ${where}: expected true or false.`);
        redact[key] = v;
      } else if (key === 'names') {
        redact.names = stringList(v, 'redact.names', where).map((n) => n.toLowerCase());
      } else if (key === 'patterns') {
        redact.patterns = stringList(v, 'redact.patterns', where);
        for (const source of redact.patterns) {
          try {
            new RegExp(source);
          } catch (error) {
            throw new ConfigError(`Invalid pattern ${JSON.stringify(source)} in "redact.patterns" in ${where}: ${(error as Error).message}.`);
          }
        }
      } else if (key === 'placeholder') {
        if (typeof v !== 'string' || v === '') throw new ConfigError(`Invalid value for "redact.placeholder" in ${where}: expected a non-empty string.`);
        redact.placeholder = v;
      } else {
        throw new ConfigError(`Unknown key "redact.${key}" in ${where}. Valid keys: enabled, names, patterns, placeholder, emails.`);
      }
    }
    config.redact = redact;
  },
  freeze(value, where, config) {
    if (typeof value === 'boolean') config.freeze = value ? [...FREEZE_FEATURES] : [];
    else config.freeze = stringList(value, 'freeze', where, FREEZE_FEATURES);
  },
  envSnapshot(value, where, config) {
    config.envSnapshot = stringList(value, 'envSnapshot', where);
  },
  llmHosts(value, where, config) {
    config.llmHosts = stringList(value, 'llmHosts', where).map((h) => h.toLowerCase());
  },
  live(value, where, config) {
    config.live = stringList(value, 'live', where);
  },
  frozen(value, where, config) {
    config.frozen = stringList(value, 'frozen', where);
  },
  replayDelays(value, where, config) {
    if (typeof value !== 'boolean' && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
      throw new ConfigError(`Invalid value for "replayDelays" in ${where}: expected false (skip delays), true (as recorded) or a scale factor >= 0 such as 0.5, got ${JSON.stringify(value)}.`);
    }
    config.replayDelays = value;
  },
  format(value, where, config) {
    if (!(CASSETTE_FORMATS as readonly unknown[]).includes(value)) {
      throw new ConfigError(`Invalid value for "format" in ${where}: ${JSON.stringify(value)}. Valid formats: ${CASSETTE_FORMATS.join(', ')}.`);
    }
    config.format = value as CassetteFormat;
  },
  prices(value, where, config) {
    const checked = checkPrices(value);
    if ('prices' in checked) {
      config.prices = checked.prices;
      return;
    }
    const { problem } = checked;
    if (problem.kind === 'not-an-object') {
      throw new ConfigError(`Invalid value for "prices" in ${where}: expected an object such as {"gpt-4o": {"input": 2.5, "output": 10}} (USD per million tokens).`);
    }
    throw new ConfigError(`Invalid price for "${problem.model}" in "prices" in ${where}: ${JSON.stringify(problem.price)}. Give numbers: {"input": 2.5, "output": 10} (USD per million tokens).`);
  },
};

/**
 * The valid configuration keys, for messages and the CLI.
 *
 * @example
 * CONFIG_KEYS.includes('cassetteDir'); // true
 */
export const CONFIG_KEYS = Object.keys(KEYS) as (keyof AgentTapeConfig)[];

/**
 * Applies one layer of options onto a configuration, validating every key.
 *
 * @example
 * applyOptions(config, { mode: 'once' }, 'cassette.use()', rootDir);
 */
export function applyOptions(config: AgentTapeConfig, options: unknown, where: string, rootDir: string): AgentTapeConfig {
  if (options === undefined || options === null) return config;
  if (!isJsonObject(options)) {
    throw new ConfigError(`Invalid AgentTape options in ${where}: expected an object, got ${JSON.stringify(options)}.`);
  }
  const next: AgentTapeConfig = { ...config };
  for (const [key, value] of Object.entries(options)) {
    const apply = KEYS[key as keyof AgentTapeConfig];
    if (!apply) {
      throw new ConfigError(`Unknown option "${key}" in ${where}. Valid keys: ${CONFIG_KEYS.join(', ')}.`);
    }
    if (value !== undefined) apply(value, where, next, rootDir);
  }
  if (next.live.length > 0 && next.frozen.length > 0) {
    throw new ConfigError(`Both "live" and "frozen" are set (in ${where} or below). Set one of them: live runs the named boundaries for real in replay, frozen serves them from the cassette while recording.`);
  }
  return next;
}

function readJson(file: string): unknown {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file} is not valid JSON: ${(error as Error).message}. Fix the file; AgentTape reads its configuration from it.`);
  }
}

/**
 * Reads the project configuration: `agenttape.config.json` if present, else the
 * `agenttape` key of `package.json`, else the defaults; then applies `overrides`
 * (e.g. Jest's `testEnvironmentOptions.agenttape`).
 *
 * @example
 * const config = loadConfig('/my/project', { mode: 'once' });
 */
export function loadConfig(rootDir: string, overrides?: unknown, overridesWhere = 'testEnvironmentOptions.agenttape'): AgentTapeConfig {
  let config = defaults(rootDir);
  const configFile = path.join(rootDir, CONFIG_FILE_NAME);
  const packageFile = path.join(rootDir, 'package.json');
  const pkg = fs.existsSync(packageFile) ? (readJson(packageFile) as { agenttape?: unknown } | null) : null;
  const packageOptions = pkg && typeof pkg === 'object' ? pkg.agenttape : undefined;
  if (fs.existsSync(configFile)) {
    if (packageOptions !== undefined) {
      throw new ConfigError(`AgentTape is configured twice: in ${configFile} and in the "agenttape" key of ${packageFile}. Keep one of them (AgentTape reads one place so that Jest and the CLI agree).`);
    }
    config = applyOptions(config, readJson(configFile), configFile, rootDir);
  } else if (packageOptions !== undefined) {
    config = applyOptions(config, packageOptions, `${packageFile} ("agenttape" key)`, rootDir);
  }
  return applyOptions(config, overrides, overridesWhere, rootDir);
}
