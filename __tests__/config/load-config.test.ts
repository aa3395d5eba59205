import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyOptions, CONFIG_KEYS, loadConfig, REDACTED, type AgentTapeConfig } from '../../src/config/config';
import { ConfigError } from '../../src/errors';

const ROOT = path.resolve('/project');
// An empty project folder: the defaults, with no config file to read.
const EMPTY_PROJECT = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-config-empty-'));
afterAll(() => fs.rmSync(EMPTY_PROJECT, { recursive: true, force: true }));
const base = (): AgentTapeConfig => loadConfig(EMPTY_PROJECT);
const apply = (options: unknown) => applyOptions(base(), options, 'test options', ROOT);

/** The ConfigError message a call throws (fails if it throws something else or nothing). */
function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('ERR_AGENTTAPE_CONFIG');
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('defaults', () => {
  test('every documented key has a default and nothing else is a key', () => {
    const config = loadConfig(EMPTY_PROJECT);
    expect(CONFIG_KEYS.sort()).toEqual(
      ['cassetteDir', 'envSnapshot', 'format', 'freeze', 'frozen', 'ignoreVolatileFields', 'live', 'llmHosts', 'matchHeaders', 'matchers', 'mode', 'prices', 'redact', 'replayDelays'].sort(),
    );
    expect(config).toEqual({
      cassetteDir: path.join(EMPTY_PROJECT, 'cassettes'),
      matchers: ['ignore_volatile'],
      ignoreVolatileFields: [],
      matchHeaders: false,
      redact: { enabled: true, names: [], patterns: [], placeholder: REDACTED, emails: true },
      freeze: ['clock', 'uuid', 'random'],
      envSnapshot: [],
      llmHosts: [],
      live: [],
      frozen: [],
      replayDelays: false,
      format: 'yaml',
      prices: {},
    });
    expect(config.mode).toBeUndefined();
  });
});

describe('each key: valid values', () => {
  test('cassetteDir resolves against rootDir', () => {
    expect(apply({ cassetteDir: 'tapes/llm' }).cassetteDir).toBe(path.join(ROOT, 'tapes', 'llm'));
    expect(apply({ cassetteDir: '/abs/tapes' }).cassetteDir).toBe(path.resolve('/abs/tapes'));
  });
  test('mode', () => {
    for (const mode of ['none', 'once', 'new_episodes', 'all', 'record']) expect(apply({ mode }).mode).toBe(mode);
  });
  test('matchers: a name, a list, a function', () => {
    const byId = (r: unknown) => String((r as { url: string }).url);
    expect(apply({ matchers: 'exact' }).matchers).toEqual(['exact']);
    expect(apply({ matchers: ['ignore_volatile', 'ordered'] }).matchers).toEqual(['ignore_volatile', 'ordered']);
    expect(apply({ matchers: [byId, 'exact'] }).matchers).toEqual([byId, 'exact']);
  });
  test('ignoreVolatileFields, envSnapshot, live, frozen are lists of strings', () => {
    const config = apply({ ignoreVolatileFields: ['seed'], envSnapshot: ['MODEL_TIER'], live: ['llm'] });
    expect(config.ignoreVolatileFields).toEqual(['seed']);
    expect(config.envSnapshot).toEqual(['MODEL_TIER']);
    expect(config.live).toEqual(['llm']);
    expect(apply({ frozen: ['charge_card', '*'] }).frozen).toEqual(['charge_card', '*']);
  });
  test('matchHeaders: a boolean or names (lower-cased)', () => {
    expect(apply({ matchHeaders: true }).matchHeaders).toBe(true);
    expect(apply({ matchHeaders: ['X-Tenant'] }).matchHeaders).toEqual(['x-tenant']);
  });
  test('redact: a boolean or an object merged over the defaults', () => {
    expect(apply({ redact: false }).redact.enabled).toBe(false);
    expect(apply({ redact: { names: ['X-Session'], patterns: ['tok_[a-z]+'], placeholder: '[gone]', emails: false } }).redact).toEqual({
      enabled: true,
      names: ['x-session'],
      patterns: ['tok_[a-z]+'],
      placeholder: '[gone]',
      emails: false,
    });
  });
  test('freeze: a subset of clock, uuid, random, or false', () => {
    expect(apply({ freeze: ['clock'] }).freeze).toEqual(['clock']);
    expect(apply({ freeze: false }).freeze).toEqual([]);
  });
  test('llmHosts are lower-cased', () => {
    expect(apply({ llmHosts: ['LLM.Internal:8080', '*.example.com'] }).llmHosts).toEqual(['llm.internal:8080', '*.example.com']);
  });
  test('undefined values are ignored; null or undefined options change nothing', () => {
    expect(apply({ mode: undefined })).toEqual(base());
    expect(apply(undefined)).toEqual(base());
    expect(apply(null)).toEqual(base());
  });
});

describe('each key: bad values name the key and where it was set', () => {
  test.each<[string, unknown, string]>([
    ['cassetteDir', '  ', 'Invalid value for "cassetteDir" in test options: expected a folder path, got "  ".'],
    ['cassetteDir', 3, 'Invalid value for "cassetteDir" in test options: expected a folder path, got 3.'],
    ['mode', 'recrd', 'Invalid mode "recrd" in "mode" in test options. Valid modes: none, once, new_episodes, all, record.'],
    ['matchers', 'fuzzy', 'Invalid matcher "fuzzy" in "matchers" in test options. Allowed values: ignore_volatile, exact, ordered, or a function returning a key.'],
    ['matchers', [], '"matchers" in test options is empty: give at least one of ignore_volatile, exact, ordered.'],
    ['ignoreVolatileFields', 'seed', 'Invalid value for "ignoreVolatileFields" in test options: expected a list of strings, got "seed".'],
    ['matchHeaders', [1], 'Invalid value for "matchHeaders" in test options: expected true (every non-volatile header), false (none) or a list of header names, got [1].'],
    ['redact', 'yes', 'Invalid value for "redact" in test options: expected true, false or an object with names, patterns, placeholder, emails.'],
    ['freeze', ['clock', 'network'], 'Invalid value "network" in "freeze" in test options. Allowed values: clock, uuid, random.'],
    ['freeze', 'clock', 'Invalid value for "freeze" in test options: expected a list of strings, got "clock".'],
    ['envSnapshot', [null], 'Invalid value for "envSnapshot" in test options: expected a list of strings, got [null].'],
    ['llmHosts', 'api.x.com', 'Invalid value for "llmHosts" in test options: expected a list of strings, got "api.x.com".'],
    ['live', {}, 'Invalid value for "live" in test options: expected a list of strings, got {}.'],
    ['frozen', 'tool', 'Invalid value for "frozen" in test options: expected a list of strings, got "tool".'],
  ])('%s = %j', (key, value, message) => {
    expect(configError(() => apply({ [key]: value }))).toBe(message);
  });

  test.each<[unknown, string]>([
    [{ enabled: 'no' }, 'Invalid value for "redact.enabled" in test options: expected true or false.'],
    [{ emails: 1 }, 'Invalid value for "redact.emails" in test options: expected true or false.'],
    [{ names: 'cookie' }, 'Invalid value for "redact.names" in test options: expected a list of strings, got "cookie".'],
    [{ placeholder: '' }, 'Invalid value for "redact.placeholder" in test options: expected a non-empty string.'],
    [{ secrets: [] }, 'Unknown key "redact.secrets" in test options. Valid keys: enabled, names, patterns, placeholder, emails.'],
  ])('redact %j', (redact, message) => {
    expect(configError(() => apply({ redact }))).toBe(message);
  });

  test('an invalid redact pattern quotes the pattern and the regex error', () => {
    expect(configError(() => apply({ redact: { patterns: ['tok_[a-'] } }))).toMatch(/^Invalid pattern "tok_\[a-" in "redact.patterns" in test options: Invalid regular expression/);
  });

  test('an unknown key is named, with every valid key', () => {
    expect(configError(() => apply({ cassetteDirectory: 'x' }))).toBe(`Unknown option "cassetteDirectory" in test options. Valid keys: ${CONFIG_KEYS.join(', ')}.`);
  });

  test('options that are not an object', () => {
    expect(configError(() => apply(['once']))).toBe('Invalid AgentTape options in test options: expected an object, got ["once"].');
    expect(configError(() => apply('once'))).toBe('Invalid AgentTape options in test options: expected an object, got "once".');
  });

  test('live and frozen both set is refused, also when they come from different layers', () => {
    const message = 'Both "live" and "frozen" are set (in test options or below). Set one of them: live runs the named boundaries for real in replay, frozen serves them from the cassette while recording.';
    expect(configError(() => apply({ live: ['llm'], frozen: ['tool'] }))).toBe(message);
    const withLive = apply({ live: ['llm'] });
    expect(configError(() => applyOptions(withLive, { frozen: ['tool'] }, 'test options', ROOT))).toBe(message);
    // Empty lists are not "set".
    expect(apply({ live: ['llm'], frozen: [] }).live).toEqual(['llm']);
  });
});

describe('loadConfig: file, package.json key, overrides', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-config-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('agenttape.config.json, then testEnvironmentOptions.agenttape over it', () => {
    fs.writeFileSync(path.join(dir, 'agenttape.config.json'), JSON.stringify({ mode: 'once', cassetteDir: 'tapes', envSnapshot: ['TIER'] }));
    const config = loadConfig(dir, { mode: 'new_episodes' });
    expect(config.mode).toBe('new_episodes');
    expect(config.cassetteDir).toBe(path.join(dir, 'tapes'));
    expect(config.envSnapshot).toEqual(['TIER']);
    expect(loadConfig(dir).mode).toBe('once');
  });

  test('the agenttape key of package.json when there is no config file', () => {
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'x', agenttape: { mode: 'all' } }));
    expect(loadConfig(dir).mode).toBe('all');
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'x', agenttape: { modes: 'all' } }));
    expect(configError(() => loadConfig(dir))).toContain(`Unknown option "modes" in ${path.join(dir, 'package.json')} ("agenttape" key).`);
  });

  test('errors name the file they come from', () => {
    fs.writeFileSync(path.join(dir, 'agenttape.config.json'), JSON.stringify({ matchHeaders: 'yes' }));
    expect(configError(() => loadConfig(dir))).toBe(
      `Invalid value for "matchHeaders" in ${path.join(dir, 'agenttape.config.json')}: expected true (every non-volatile header), false (none) or a list of header names, got "yes".`,
    );
    expect(configError(() => loadConfig(EMPTY_PROJECT, { mode: 'sometimes' }))).toBe('Invalid mode "sometimes" in "mode" in testEnvironmentOptions.agenttape. Valid modes: none, once, new_episodes, all, record.');
  });

  test('a config file that is not JSON', () => {
    fs.writeFileSync(path.join(dir, 'agenttape.config.json'), '{ mode: once }');
    expect(configError(() => loadConfig(dir))).toMatch(new RegExp(`^${path.join(dir, 'agenttape.config.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON: .*Fix the file`));
  });
});
