import { isRecordAll, isRecordingMode, MODES, parseMode, resolveMode } from '../../src/config/modes';
import { ConfigError } from '../../src/errors';

describe('parseMode', () => {
  test('accepts every mode', () => {
    for (const mode of MODES) expect(parseMode(mode, 'AGENTTAPE_MODE')).toBe(mode);
  });

  test.each([['recrd'], ['NONE'], [''], [3], [undefined]])('refuses %j with a ConfigError listing every valid mode', (value) => {
    expect(() => parseMode(value, 'AGENTTAPE_MODE')).toThrow(ConfigError);
    expect(() => parseMode(value, 'AGENTTAPE_MODE')).toThrow(`Invalid mode ${JSON.stringify(value)} in AGENTTAPE_MODE. Valid modes: none, once, new_episodes, all, record.`);
  });

  test('record is an alias of all; only none never records', () => {
    expect(MODES.filter(isRecordAll)).toEqual(['all', 'record']);
    expect(MODES.filter((m) => !isRecordingMode(m))).toEqual(['none']);
  });
});

describe('resolveMode: precedence', () => {
  test('per-test option > docblock > AGENTTAPE_MODE > config > none', () => {
    const all = { test: 'once', docblock: 'all', env: 'new_episodes', config: 'record' } as const;
    expect(resolveMode({ ...all, ci: false })).toEqual({ mode: 'once', source: 'test' });
    expect(resolveMode({ ...all, test: undefined, ci: false })).toEqual({ mode: 'all', source: 'docblock' });
    expect(resolveMode({ env: 'new_episodes', config: 'record', ci: false })).toEqual({ mode: 'new_episodes', source: 'env' });
    expect(resolveMode({ config: 'record', ci: false })).toEqual({ mode: 'record', source: 'config' });
    expect(resolveMode({ ci: false })).toEqual({ mode: 'none', source: 'default' });
  });

  test('an explicit none wins like any other value', () => {
    expect(resolveMode({ test: 'none', env: 'record', ci: false })).toEqual({ mode: 'none', source: 'test' });
  });
});

describe('resolveMode: CI never records by accident', () => {
  test.each([['test'], ['docblock'], ['config']] as const)('a recording mode from %s falls back to none and says what was refused', (source) => {
    for (const mode of ['once', 'new_episodes', 'all', 'record'] as const) {
      expect(resolveMode({ [source]: mode, ci: true })).toEqual({ mode: 'none', source: 'default', refusedInCi: { mode, source } });
    }
  });

  test('AGENTTAPE_MODE may record in CI', () => {
    expect(resolveMode({ env: 'record', config: 'none', ci: true })).toEqual({ mode: 'record', source: 'env' });
    expect(resolveMode({ env: 'once', ci: true })).toEqual({ mode: 'once', source: 'env' });
  });

  test('an explicit AGENTTAPE_MODE applies when a higher source asked to record (so the printed command works)', () => {
    expect(resolveMode({ test: 'all', docblock: 'once', env: 'record', ci: true })).toEqual({ mode: 'record', source: 'env' });
    expect(resolveMode({ docblock: 'record', env: 'none', ci: true })).toEqual({ mode: 'none', source: 'env' });
  });

  test('a refused mode is not replaced by a lower docblock or config value', () => {
    expect(resolveMode({ test: 'all', config: 'none', ci: true })).toEqual({ mode: 'none', source: 'default', refusedInCi: { mode: 'all', source: 'test' } });
    expect(resolveMode({ test: 'all', docblock: 'once', ci: true }).refusedInCi).toEqual({ mode: 'all', source: 'test' });
  });

  test('none from any source is fine in CI', () => {
    expect(resolveMode({ docblock: 'none', ci: true })).toEqual({ mode: 'none', source: 'docblock' });
  });
});
