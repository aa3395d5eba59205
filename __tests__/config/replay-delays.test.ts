import { applyOptions, loadConfig } from '../../src/config/config';
import { ConfigError } from '../../src/errors';

const base = () => loadConfig('/nonexistent-root-for-agenttape-tests');

test('replayDelays: skipped by default; true, false or a scale factor are accepted', () => {
  expect(base().replayDelays).toBe(false);
  expect(applyOptions(base(), { replayDelays: true }, 'test', '/').replayDelays).toBe(true);
  expect(applyOptions(base(), { replayDelays: 0.5 }, 'test', '/').replayDelays).toBe(0.5);
});

test.each([[-1], ['fast'], [Number.NaN]])('replayDelays %p is a ConfigError naming the key', (value) => {
  expect(() => applyOptions(base(), { replayDelays: value }, 'agenttape.config.json', '/')).toThrow(ConfigError);
  expect(() => applyOptions(base(), { replayDelays: value }, 'agenttape.config.json', '/')).toThrow(/"replayDelays" in agenttape\.config\.json: expected false \(skip delays\), true \(as recorded\) or a scale factor/);
});
