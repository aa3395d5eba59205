import { ModernFakeTimers } from '@jest/fake-timers';
import nodeCrypto = require('node:crypto');
import * as vm from 'node:vm';
import { FreezeSession } from '../../src/freeze/freeze-session';
import { SandboxFreeze, type FreezableGlobal } from '../../src/freeze/sandbox-freeze';
import { createSeededRandom } from '../../src/freeze/seeded-random';

const ALL = ['clock', 'uuid', 'random'];

/** A sandbox like Jest's: its own Date and Math, and the outer realm's crypto. */
function createSandbox(): FreezableGlobal & { run(code: string): unknown } {
  const { setTimeout, clearTimeout, setInterval, clearInterval, setImmediate, clearImmediate, queueMicrotask, performance } = globalThis;
  const timers = { setTimeout, clearTimeout, setInterval, clearInterval, setImmediate, clearImmediate, queueMicrotask, performance };
  const context = vm.createContext({ crypto: globalThis.crypto, nodeCrypto, ...timers });
  const sandbox = vm.runInContext('globalThis', context) as FreezableGlobal & { run(code: string): unknown };
  sandbox.run = (code: string) => vm.runInContext(code, context);
  return sandbox;
}

function session(realNow: number, features = ALL): FreezeSession {
  return new FreezeSession({ features, envSnapshot: [], env: {}, realNow });
}

describe('SandboxFreeze', () => {
  const originalModuleUuid = nodeCrypto.randomUUID;

  test('Date, Date.now and new Date() read the frozen clock; dates from arguments are real', () => {
    const sandbox = createSandbox();
    const freeze = new SandboxFreeze(sandbox, undefined, ALL);
    freeze.install();
    freeze.activate(session(Date.UTC(2030, 4, 6, 7, 8, 9)));
    expect(sandbox.run('new Date().toISOString()')).toBe('2030-05-06T07:08:09.000Z');
    expect(sandbox.run('Date.now()')).toBe(Date.UTC(2030, 4, 6, 7, 8, 9));
    expect(sandbox.run('typeof Date()')).toBe('string');
    expect(sandbox.run('new Date(0).getTime()')).toBe(0);
    expect(sandbox.run('Date.UTC(2000, 0, 1)')).toBe(Date.UTC(2000, 0, 1));
    expect(sandbox.run('Date.parse("2001-01-01T00:00:00Z")')).toBe(Date.parse('2001-01-01T00:00:00Z'));
    expect(sandbox.run('new Date() instanceof Date && Object.prototype.toString.call(new Date())')).toBe('[object Date]');
    expect(sandbox.run('class Day extends Date {}; const d = new Day(); d instanceof Day && d.getTime()')).toBe(Date.UTC(2030, 4, 6, 7, 8, 9));
    freeze.uninstall();
  });

  test('Math.random is seeded and crypto.randomUUID (global and node:crypto) follows the session', () => {
    const sandbox = createSandbox();
    const freeze = new SandboxFreeze(sandbox, undefined, ALL);
    freeze.install();
    const active = session(0);
    freeze.activate(active);
    const expected = createSeededRandom(active.randomSeed);
    expect(sandbox.run('[Math.random(), Math.random()]')).toEqual([expected(), expected()]);
    const uuids = sandbox.run('[crypto.randomUUID(), nodeCrypto.randomUUID()]') as string[];
    expect(active.toMeta().uuids).toEqual(uuids);
    freeze.uninstall();
  });

  test('before a session is active, and for features left out, everything is real', () => {
    const sandbox = createSandbox();
    const freeze = new SandboxFreeze(sandbox, undefined, ['uuid']);
    const nativeDate = sandbox.Date;
    freeze.install();
    expect(sandbox.Date).toBe(nativeDate);
    const first = sandbox.run('crypto.randomUUID()');
    freeze.activate(session(0, ['uuid']));
    const frozen = sandbox.run('crypto.randomUUID()');
    expect(first).not.toBe(frozen);
    expect(Math.abs((sandbox.run('Date.now()') as number) - Date.now())).toBeLessThan(5_000);
    freeze.uninstall();
  });

  test('uninstall restores every patched property, including the shared crypto objects', () => {
    const sandbox = createSandbox();
    const nativeDate = sandbox.Date;
    const nativeRandom = sandbox.Math.random;
    const freeze = new SandboxFreeze(sandbox, undefined, ALL);
    freeze.install();
    expect(Object.prototype.hasOwnProperty.call(globalThis.crypto, 'randomUUID')).toBe(true);
    expect(nodeCrypto.randomUUID).not.toBe(originalModuleUuid);
    freeze.uninstall();
    expect(sandbox.Date).toBe(nativeDate);
    expect(sandbox.Math.random).toBe(nativeRandom);
    expect(Object.prototype.hasOwnProperty.call(globalThis.crypto, 'randomUUID')).toBe(false);
    expect(nodeCrypto.randomUUID).toBe(originalModuleUuid);
  });

  describe('with Jest fake timers', () => {
    function setUp() {
      const sandbox = createSandbox();
      const timers = new ModernFakeTimers({ global: sandbox as unknown as typeof globalThis, config: { fakeTimers: {} } as never });
      const freeze = new SandboxFreeze(sandbox, timers, ALL);
      freeze.install();
      return { sandbox, timers, freeze };
    }

    test('fake timers win and start at the frozen time; the frozen clock is back after useRealTimers', () => {
      const { sandbox, timers, freeze } = setUp();
      freeze.activate(session(Date.UTC(2030, 0, 1)));
      timers.useFakeTimers();
      expect(sandbox.run('Date.now()')).toBe(Date.UTC(2030, 0, 1));
      timers.advanceTimersByTime(1_500);
      expect(sandbox.run('new Date().toISOString()')).toBe('2030-01-01T00:00:01.500Z');
      timers.useRealTimers();
      expect(sandbox.run('Date.now()')).toBe(Date.UTC(2030, 0, 1));
      freeze.uninstall();
    });

    test('an explicit now wins over the frozen time', () => {
      const { sandbox, timers, freeze } = setUp();
      freeze.activate(session(Date.UTC(2030, 0, 1)));
      timers.useFakeTimers({ now: Date.UTC(1999, 11, 31) });
      expect(sandbox.run('Date.now()')).toBe(Date.UTC(1999, 11, 31));
      freeze.activate(session(Date.UTC(2031, 0, 1)));
      expect(sandbox.run('Date.now()')).toBe(Date.UTC(1999, 11, 31));
      timers.useRealTimers();
      freeze.uninstall();
    });

    test("a fake clock started by the freeze moves to the next test's base time", () => {
      const { sandbox, timers, freeze } = setUp();
      freeze.activate(session(Date.UTC(2030, 0, 1)));
      timers.useFakeTimers();
      freeze.activate(session(Date.UTC(2031, 0, 1)));
      expect(sandbox.run('Date.now()')).toBe(Date.UTC(2031, 0, 1));
      timers.useRealTimers();
      freeze.uninstall();
    });
  });
});
