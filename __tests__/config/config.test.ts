import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyOptions, CONFIG_KEYS, loadConfig } from '../../src/config/config';
import { ConfigError } from '../../src/errors';
import { loadPriceTable } from '../../src/tools/price-table';

function project(files: Record<string, unknown>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-config-'));
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(root, name), typeof content === 'string' ? content : JSON.stringify(content));
  return root;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  test('reads agenttape.config.json, then applies testEnvironmentOptions.agenttape on top', () => {
    const root = project({ 'agenttape.config.json': { cassetteDir: 'tapes', mode: 'once', envSnapshot: ['MODEL_TIER'], redact: { names: ['X-Tenant'] } } });
    const config = loadConfig(root, { mode: 'new_episodes', freeze: ['clock'] });
    expect(config.cassetteDir).toBe(path.join(root, 'tapes'));
    expect(config.mode).toBe('new_episodes');
    expect(config.freeze).toEqual(['clock']);
    expect(config.envSnapshot).toEqual(['MODEL_TIER']);
    expect(config.redact.names).toEqual(['x-tenant']);
  });

  test('reads the agenttape key of package.json', () => {
    const root = project({ 'package.json': { name: 'x', agenttape: { matchers: ['exact', 'ordered'], matchHeaders: ['X-Tenant'] } } });
    const config = loadConfig(root);
    expect(config.matchers).toEqual(['exact', 'ordered']);
    expect(config.matchHeaders).toEqual(['x-tenant']);
  });

  test('configuring both places is an error naming both files', () => {
    const root = project({ 'agenttape.config.json': { mode: 'once' }, 'package.json': { agenttape: { mode: 'none' } } });
    const error = errorOf(() => loadConfig(root));
    expect(error.message).toContain(path.join(root, 'agenttape.config.json'));
    expect(error.message).toContain(`"agenttape" key of ${path.join(root, 'package.json')}`);
    expect(error.code).toBe('ERR_AGENTTAPE_CONFIG');
  });

  test('a config file that is not JSON names the file', () => {
    const root = project({ 'agenttape.config.json': '{ mode: once }' });
    expect(errorOf(() => loadConfig(root)).message).toMatch(/agenttape\.config\.json is not valid JSON/);
  });

  test('freeze accepts true and false', () => {
    const root = project({});
    expect(loadConfig(root, { freeze: false }).freeze).toEqual([]);
    expect(loadConfig(root, { freeze: true }).freeze).toEqual(['clock', 'uuid', 'random']);
  });
});

describe('every bad value is a ConfigError naming the key and what is allowed', () => {
  const root = project({});
  const where = 'agenttape.config.json';
  test.each<[string, unknown, RegExp]>([
    ['an unknown key', { cassete: 'x' }, new RegExp(`Unknown option "cassete" in agenttape.config.json. Valid keys: ${CONFIG_KEYS.join(', ')}\\.`)],
    ['mode', { mode: 'recrd' }, /Invalid mode "recrd" in "mode" in agenttape.config.json. Valid modes: none, once, new_episodes, all, record\./],
    ['matchers', { matchers: ['fuzzy'] }, /Invalid matcher "fuzzy" in "matchers" in agenttape.config.json. Allowed values: ignore_volatile, exact, ordered, or a function returning a key\./],
    ['matchers (empty)', { matchers: [] }, /"matchers" in agenttape.config.json is empty/],
    ['freeze', { freeze: ['clock', 'network'] }, /Invalid value "network" in "freeze" in agenttape.config.json. Allowed values: clock, uuid, random\./],
    ['matchHeaders', { matchHeaders: 'yes' }, /Invalid value for "matchHeaders" in agenttape.config.json: expected true \(every non-volatile header\), false \(none\) or a list of header names, got "yes"\./],
    ['ignoreVolatileFields', { ignoreVolatileFields: 'seed' }, /Invalid value for "ignoreVolatileFields" in agenttape.config.json: expected a list of strings, got "seed"\./],
    ['envSnapshot', { envSnapshot: [1] }, /Invalid value for "envSnapshot"/],
    ['llmHosts', { llmHosts: {} }, /Invalid value for "llmHosts"/],
    ['cassetteDir', { cassetteDir: '' }, /Invalid value for "cassetteDir" in agenttape.config.json: expected a folder path/],
    ['redact.patterns', { redact: { patterns: ['(unclosed'] } }, /Invalid pattern "\(unclosed" in "redact.patterns" in agenttape.config.json/],
    ['redact.emails', { redact: { emails: 'no' } }, /Invalid value for "redact.emails" in agenttape.config.json: expected true or false\./],
    ['live and frozen together', { live: ['llm'], frozen: ['tool'] }, /Both "live" and "frozen" are set/],
    ['not an object', ['mode'], /Invalid AgentTape options in agenttape.config.json: expected an object/],
  ])('%s', (_name, options, message) => {
    expect(errorOf(() => applyOptions(loadConfig(root), options, where, root)).message).toMatch(message);
  });

  test('the list of keys is the documented one', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
    for (const key of CONFIG_KEYS) expect(doc).toContain(`\`${key}\``);
  });
});

describe('prices: one rule for the configuration key and for inspect --prices', () => {
  const bad = [{ 'gpt-4o': { input: 'cheap', output: 1 } }, { 'gpt-4o': null }, { 'gpt-4o': { input: 1 } }, ['gpt-4o'], 42];

  test.each(bad)('%j is refused by both, naming the model when one is at fault', (prices) => {
    const fromConfig = errorOf(() => loadConfig(project({ 'agenttape.config.json': { prices } })));
    const root = project({ 'prices.json': prices });
    expect(() => loadPriceTable(path.join(root, 'prices.json'))).toThrow(Array.isArray(prices) || typeof prices !== 'object' ? /not a JSON object/ : /the price of "gpt-4o"/);
    expect(fromConfig.message).toMatch(Array.isArray(prices) || typeof prices !== 'object' ? /Invalid value for "prices"/ : /Invalid price for "gpt-4o"/);
  });

  test('a valid table is read the same by both, merged over the built-in prices by inspect', () => {
    const prices = { 'gpt-4o': { input: 1, output: 2 } };
    expect(loadConfig(project({ 'agenttape.config.json': { prices } })).prices).toEqual(prices);
    const root = project({ 'prices.json': prices });
    expect(loadPriceTable(path.join(root, 'prices.json'), {})).toEqual(prices);
  });
});
