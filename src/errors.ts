/**
 * Every error AgentTape raises. Each carries a stable `code` so callers and
 * tests can tell them apart without parsing messages.
 *
 * Why `Symbol.hasInstance`: the Jest environment lives in the outer realm while
 * the test imports its own copy of this module inside the sandbox, so the class
 * a test sees is not the class that threw. Matching on `code` keeps
 * `err instanceof UnmatchedInteractionError` true across that boundary.
 */

/**
 * Stable codes, one per error class.
 *
 * @example
 * if ((error as { code?: string }).code === ERROR_CODES.unmatched) reportMiss(error);
 */
export const ERROR_CODES = {
  base: 'ERR_AGENTTAPE',
  unmatched: 'ERR_AGENTTAPE_UNMATCHED',
  corrupt: 'ERR_AGENTTAPE_CASSETTE_CORRUPT',
  schemaVersion: 'ERR_AGENTTAPE_SCHEMA_VERSION',
  config: 'ERR_AGENTTAPE_CONFIG',
  ciRecord: 'ERR_AGENTTAPE_CI_RECORD_REFUSED',
  uninterceptable: 'ERR_AGENTTAPE_UNINTERCEPTABLE',
  cassetteNotFound: 'ERR_AGENTTAPE_CASSETTE_NOT_FOUND',
  usage: 'ERR_AGENTTAPE_USAGE',
  importFormat: 'ERR_AGENTTAPE_IMPORT_FORMAT',
} as const;

function hasCode(value: unknown, prefix: string, exact: boolean): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const code = (value as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  return exact ? code === prefix : code.startsWith(prefix);
}

/**
 * Base class of every AgentTape error.
 *
 * @example
 * try { await agent.run(); } catch (e) { if (e instanceof AgentTapeError) console.log(e.code); }
 */
export class AgentTapeError extends Error {
  /** The code of this class's errors; each subclass sets its own. */
  static readonly CODE: string = ERROR_CODES.base;
  /** Stable machine-readable code, e.g. `ERR_AGENTTAPE_UNMATCHED`. */
  readonly code: string;

  constructor(message: string) {
    super(message);
    this.code = new.target.CODE;
    this.name = new.target.name;
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return hasCode(value, this.CODE, this !== AgentTapeError);
  }
}

/**
 * A request that the active cassette does not hold (see docs/interception.md, "Failing loudly").
 *
 * @example
 * await expect(client.chat.completions.create(req)).rejects.toThrow(UnmatchedInteractionError);
 */
export class UnmatchedInteractionError extends AgentTapeError {
  static readonly CODE = ERROR_CODES.unmatched;
}

/**
 * A cassette file that cannot be read: invalid YAML or JSON, a field of the
 * wrong shape, an alias bomb, or a payload kept beside it that is missing or
 * not UTF-8.
 *
 * @example
 * new CassetteCorruptError('cassettes/a.yaml: line 3: unexpected indent');
 */
export class CassetteCorruptError extends AgentTapeError {
  static readonly CODE = ERROR_CODES.corrupt;
}

/**
 * A cassette whose `version` this AgentTape does not know.
 *
 * @example
 * new SchemaVersionError('cassettes/a.yaml: version "2" is not supported (supported: "1")');
 */
export class SchemaVersionError extends AgentTapeError {
  static readonly CODE = ERROR_CODES.schemaVersion;
}

/**
 * A bad configuration key or value, or an unknown mode.
 *
 * @example
 * new ConfigError('Invalid mode "recrd". Valid modes: none, once, new_episodes, all, record.');
 */
export class ConfigError extends AgentTapeError {
  static readonly CODE = ERROR_CODES.config;
}

/**
 * A request that would have been recorded while Jest runs in CI with a
 * recording mode that did not come from `AGENTTAPE_MODE` (see docs/configuration.md).
 *
 * @example
 * if (err instanceof RecordingRefusedInCiError) console.log('record locally first');
 */
export class RecordingRefusedInCiError extends AgentTapeError {
  static readonly CODE = ERROR_CODES.ciRecord;
}

/**
 * A request made through an API AgentTape cannot record or replay (undici's own
 * `request`/`stream`/`pipeline`/`WebSocket`): it is blocked so nothing reaches the network.
 *
 * @example
 * if (err instanceof UninterceptableRequestError) console.log('use fetch or node:http');
 */
export class UninterceptableRequestError extends AgentTapeError {
  static readonly CODE = ERROR_CODES.uninterceptable;
}

/**
 * A cassette named on the command line that does not exist.
 *
 * @example
 * new CassetteNotFoundError('no cassette matches "weather": …');
 */
export class CassetteNotFoundError extends AgentTapeError {
  static readonly CODE = ERROR_CODES.cassetteNotFound;
}

/**
 * A command line that cannot be run: unknown command or option, missing argument.
 *
 * @example
 * new UsageError('unknown command "inspekt". Run agenttape --help for the commands.');
 */
export class UsageError extends AgentTapeError {
  static readonly CODE = ERROR_CODES.usage;
}

/**
 * A file given to `agenttape import-nock` that is not nock definitions.
 *
 * @example
 * new ImportFormatError('fixture.json: entry 2 has no "scope": …');
 */
export class ImportFormatError extends AgentTapeError {
  static readonly CODE = ERROR_CODES.importFormat;
}
