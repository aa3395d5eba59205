import { AsyncLocalStorage } from 'node:async_hooks';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type { CassetteDocument } from '../../src/cassette/cassette-schema';
import { loadConfig, REDACTED, type AgentTapeConfig } from '../../src/config/config';
import type { Mode } from '../../src/config/modes';
import { Tape } from '../../src/engine/tape';
import { FreezeController, formatDriftWarning } from '../../src/freeze/freeze-controller';

function recordedDoc(freeze: CassetteDocument['meta'][string]): CassetteDocument {
  return { version: '1', created_at: '2026-01-01T00:00:00.000Z', run_id: 'r', meta: { freeze, tags: [] }, interactions: [] };
}

function tapeFor(existing: CassetteDocument | null, config: AgentTapeConfig, mode: Mode = 'none'): Tape {
  return new Tape({ testName: 't', testFile: 'a.test.js', cassettePath: '/c/a.test.js/t.yaml', fileScope: false }, existing, config, { mode, source: 'env' });
}

function setUp(options: Record<string, unknown>, env: Record<string, string | undefined> = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-freeze-'));
  const config = loadConfig(root, options);
  const context = vm.createContext({ crypto: globalThis.crypto, process: { env } });
  const sandbox = vm.runInContext('globalThis', context);
  const warnings: string[] = [];
  const controller = new FreezeController(
    sandbox,
    undefined,
    config,
    (message) => warnings.push(message),
    (tape) => `record ${tape.owner.testName}`,
  );
  controller.install();
  return { config, sandbox, controller, warnings, run: (code: string) => vm.runInContext(code, context) };
}

describe('FreezeController', () => {
  test('a replayed tape freezes at its recorded values and writes them back', () => {
    const { config, controller, run } = setUp({});
    const tape = tapeFor(recordedDoc({ features: ['clock', 'uuid', 'random'], base_iso: '2029-02-03T04:05:06.007Z', random_seed: 3, uuids: ['aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'] }), config);
    controller.enter(tape);
    expect(run('new Date().toISOString()')).toBe('2029-02-03T04:05:06.007Z');
    expect(run('crypto.randomUUID()')).toBe('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa');
    expect(tape.toDocument('0.0.0', new Date(), controller.metaFor(tape)).meta.freeze).toMatchObject({ base_iso: '2029-02-03T04:05:06.007Z', random_seed: 3 });
    controller.uninstall();
  });

  test('a record-everything mode ignores the old values and starts fresh', () => {
    const { config, controller, run } = setUp({});
    const tape = tapeFor(recordedDoc({ features: ['clock'], base_iso: '2000-01-01T00:00:00.000Z' }), config, 'all');
    controller.enter(tape, Date.UTC(2040, 0, 1));
    expect(run('new Date().toISOString()')).toBe('2040-01-01T00:00:00.000Z');
    controller.uninstall();
  });

  test('entering the same tape again keeps its session (the UUID sequence goes on)', () => {
    const { config, controller, run } = setUp({});
    const tape = tapeFor(null, config);
    const other = tapeFor(null, config);
    controller.enter(tape);
    const first = run('crypto.randomUUID()');
    controller.enter(other);
    controller.enter(tape);
    run('crypto.randomUUID()');
    expect((controller.metaFor(tape) as { uuids: string[] }).uuids[0]).toBe(first);
    expect((controller.metaFor(tape) as { uuids: string[] }).uuids).toHaveLength(2);
    controller.uninstall();
  });

  test('drift is warned once per variable and value; a redacted recorded value is not drift', () => {
    const { config, controller, warnings } = setUp({ envSnapshot: ['MODEL_TIER', 'OPENAI_API_KEY'] }, { MODEL_TIER: 'small', OPENAI_API_KEY: 'k' });
    const recorded = recordedDoc({ features: [], env: { MODEL_TIER: 'large', OPENAI_API_KEY: REDACTED } });
    controller.enter(tapeFor(recorded, config));
    controller.enter(tapeFor(recorded, config));
    expect(warnings).toEqual([formatDriftWarning({ name: 'MODEL_TIER', recorded: 'large', current: 'small' }, '/c/a.test.js/t.yaml', 'record t')]);
    expect(warnings[0]).toContain('AgentTape: environment drift in MODEL_TIER: recorded "large", now "small".');
    controller.uninstall();
  });

  test("concurrent tests each read their own values, through the caller's tape", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-freeze-'));
    const config = loadConfig(root);
    const context = vm.createContext({ crypto: globalThis.crypto, process: { env: {} } });
    const running = new AsyncLocalStorage<Tape>();
    const fileTape = tapeFor(null, config);
    const controller = new FreezeController(
      vm.runInContext('globalThis', context),
      undefined,
      config,
      () => {},
      () => 'record',
      () => running.getStore() ?? fileTape,
    );
    controller.install();
    const a = tapeFor(recordedDoc({ features: ['clock'], base_iso: '2031-01-01T00:00:00.000Z' }), config);
    const b = tapeFor(recordedDoc({ features: ['clock'], base_iso: '2032-01-01T00:00:00.000Z' }), config);
    controller.enter(a);
    controller.enter(b);
    const read = (tape: Tape) =>
      running.run(tape, async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return vm.runInContext('new Date().toISOString()', context) as string;
      });
    expect(await Promise.all([read(a), read(b)])).toEqual(['2031-01-01T00:00:00.000Z', '2032-01-01T00:00:00.000Z']);
    controller.uninstall();
  });

  test('an unset variable is shown as unset', () => {
    expect(formatDriftWarning({ name: 'REGION', recorded: 'eu', current: null }, 'c.yaml', 'record')).toContain('recorded "eu", now (unset).');
  });
});
