import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { parsePartialPragma, withPartialPragmas } from '../../src/jest/docblock-options';
import { PartialReplay, partialReplayFor } from '../../src/engine/partial-replay';
import { ConfigError } from '../../src/errors';

// An empty project folder: loadConfig reads agenttape.config.json and package.json from it.
const rootDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-partial-'));
afterAll(() => fs.rmSync(rootDir, { recursive: true, force: true }));

describe('partial replay tokens', () => {
  test('a kind, a boundary name or * selects a boundary; live wins over frozen', () => {
    const partial = new PartialReplay(['llm', 'charge_card'], []);
    expect(partial.scopeOf('llm', 'llm')).toBe('live');
    expect(partial.scopeOf('tool', 'charge_card')).toBe('live');
    expect(partial.scopeOf('tool', 'lookup')).toBe('default');
    expect(new PartialReplay([], ['*']).scopeOf('http', 'api.x.com')).toBe('frozen');
    expect(new PartialReplay([], ['api.x.com']).scopeOf('http', 'api.x.com')).toBe('frozen');
  });

  test('docblock values split on spaces and commas', () => {
    expect(parsePartialPragma('llm, charge_card  tool')).toEqual(['llm', 'charge_card', 'tool']);
    expect(parsePartialPragma(['llm', 'tool'])).toEqual(['llm', 'tool']);
    expect(parsePartialPragma(undefined)).toBeUndefined();
  });
});

describe('where live and frozen come from', () => {
  const config = { ...loadConfig(rootDir, { frozen: ['tool'] }) };

  test('a docblock that sets one list replaces both lists of the configuration', () => {
    const next = withPartialPragmas(config, { 'agenttape-live': 'llm' }, 'a.test.ts', rootDir);
    expect([next.live, next.frozen]).toEqual([['llm'], []]);
    expect(withPartialPragmas(config, {}, 'a.test.ts', rootDir)).toBe(config);
  });

  test('both pragmas in one file are a ConfigError naming the file', () => {
    expect(() => withPartialPragmas(config, { 'agenttape-live': 'llm', 'agenttape-frozen': 'tool' }, 'src/a.test.ts', rootDir)).toThrow(ConfigError);
    expect(() => withPartialPragmas(config, { 'agenttape-live': 'llm', 'agenttape-frozen': 'tool' }, 'src/a.test.ts', rootDir)).toThrow(
      /Both "live" and "frozen" are set \(in the @agenttape-live \/ @agenttape-frozen docblock of src\/a\.test\.ts or below\)/,
    );
  });

  test('per-test options: validated, and silent when they set neither list', () => {
    expect(partialReplayFor(config, { live: ['llm'] }, 'cassette.use()')?.live).toEqual(['llm']);
    expect(partialReplayFor(config, {}, 'cassette.use()')).toBeUndefined();
    expect(() => partialReplayFor(config, { live: 'llm' as unknown as string[] }, 'cassette.use()')).toThrow('Invalid value for "live" in cassette.use(): expected a list of strings, got "llm".');
    expect(() => partialReplayFor(config, { live: ['llm'], frozen: ['tool'] }, 'cassette.use()')).toThrow(ConfigError);
  });
});
