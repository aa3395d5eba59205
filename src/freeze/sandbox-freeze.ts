/**
 * The patches that make a Jest sandbox (or, under `useCassette`, the process's own global) deterministic (see docs/configuration.md, "Freeze"): `Date`,
 * `Date.now` and `new Date()` read the frozen clock, `crypto.randomUUID`
 * (global and `node:crypto`) replays the UUID sequence, `Math.random` is
 * seeded. Timers and `performance.now` are left alone. Each patch asks the
 * active `FreezeSession` at call time, so switching tests only switches the
 * session, and everything is put back by `uninstall()`.
 *
 * Jest fake timers win over the frozen clock: `jest.useFakeTimers()` replaces
 * `Date` with a clock the test drives. Unless the test or the Jest config sets
 * `now`, that fake clock starts at the frozen base time, so a recorded
 * timestamp still matches on replay.
 */
import nodeCrypto = require('node:crypto');
import type { FreezeFeature } from '../config/freeze-features';
import type { FreezeSession } from './freeze-session';

/** The part of Jest's modern fake timers that the freeze steers. */
export interface FakeTimersLike {
  useFakeTimers(config?: { now?: number | Date } & Record<string, unknown>): void;
  setSystemTime(now?: number | Date): void;
}

/** The sandbox globals the freeze patches. */
export interface FreezableGlobal {
  Date: DateConstructor;
  Math: Math;
  crypto?: { randomUUID(): string };
}

function replaceProperty(target: object, key: string, value: unknown, restores: (() => void)[]): void {
  const before = Object.getOwnPropertyDescriptor(target, key);
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: before?.enumerable ?? false });
  restores.push(() => {
    if (before) Object.defineProperty(target, key, before);
    else delete (target as Record<string, unknown>)[key];
  });
}

/**
 * A `Date` constructor that reads a frozen clock when called without
 * arguments. Its prototype is the sandbox's own `Date.prototype`, so
 * `instanceof Date`, subclasses and every method behave as before.
 */
function createFrozenDate(NativeDate: DateConstructor, frozenNow: () => number | undefined): DateConstructor {
  const now = () => frozenNow() ?? NativeDate.now();
  function Date(this: unknown, ...args: unknown[]): Date | string {
    if (!new.target) return new NativeDate(now()).toString();
    return Reflect.construct(NativeDate, args.length === 0 ? [now()] : args, new.target) as Date;
  }
  Date.prototype = NativeDate.prototype;
  Object.defineProperties(Date, {
    now: { value: now, writable: true, configurable: true },
    parse: { value: NativeDate.parse, writable: true, configurable: true },
    UTC: { value: NativeDate.UTC, writable: true, configurable: true },
    length: { value: 7, configurable: true },
  });
  return Date as unknown as DateConstructor;
}

/**
 * The freeze patches of one sandbox.
 *
 * @example
 * const freeze = new SandboxFreeze(environment.global, environment.fakeTimersModern, ['clock', 'uuid', 'random']);
 * freeze.install();
 * freeze.activate(session); // at test_start
 * freeze.uninstall();       // at teardown
 */
export class SandboxFreeze {
  private session: FreezeSession | undefined;
  private readonly restores: (() => void)[] = [];
  private frozenDate: DateConstructor | undefined;
  /** True when the running fake clock was started at the frozen base time by us. */
  private fakeClockFromFreeze = false;

  constructor(
    private readonly sandbox: FreezableGlobal,
    private readonly fakeTimers: FakeTimersLike | null | undefined,
    private readonly features: readonly string[],
    /**
     * The session of the code calling now, when the caller can tell (concurrent
     * tests each run in their own async context); else the last activated one.
     */
    private readonly currentSession: () => FreezeSession | undefined = () => undefined,
  ) {}

  /** Patches the sandbox for the configured features. */
  install(): void {
    const frozen = (feature: FreezeFeature) => {
      const session = this.currentSession() ?? this.session;
      return session?.has(feature) ? session : undefined;
    };
    if (this.features.includes('clock')) {
      this.frozenDate = createFrozenDate(this.sandbox.Date, () => frozen('clock')?.now());
      replaceProperty(this.sandbox, 'Date', this.frozenDate, this.restores);
      this.steerFakeTimers();
    }
    if (this.features.includes('random')) {
      const nativeRandom = this.sandbox.Math.random;
      replaceProperty(
        this.sandbox.Math,
        'random',
        function random() {
          return frozen('random')?.random() ?? nativeRandom();
        },
        this.restores,
      );
    }
    if (this.features.includes('uuid')) {
      // The global `crypto` and the `node:crypto` module are the outer realm's own
      // objects (Jest hands them to the sandbox as they are): the patch falls back to
      // the real function whenever no session is active and is removed at teardown.
      const webCrypto = this.sandbox.crypto;
      if (webCrypto) {
        const nativeUuid = webCrypto.randomUUID.bind(webCrypto);
        replaceProperty(
          webCrypto,
          'randomUUID',
          function randomUUID() {
            return frozen('uuid')?.nextUuid() ?? nativeUuid();
          },
          this.restores,
        );
      }
      const nativeModuleUuid = nodeCrypto.randomUUID;
      replaceProperty(
        nodeCrypto,
        'randomUUID',
        function randomUUID(options?: nodeCrypto.RandomUUIDOptions) {
          return frozen('uuid')?.nextUuid() ?? nativeModuleUuid(options);
        },
        this.restores,
      );
    }
  }

  /** Makes a session the one the patches read (the running test's, or the file's). */
  activate(session: FreezeSession): void {
    this.session = session;
    // A fake clock started by the freeze follows the test into its own base time.
    const fakeDateActive = this.frozenDate !== undefined && this.sandbox.Date !== this.frozenDate;
    if (fakeDateActive && this.fakeClockFromFreeze && session.has('clock')) this.fakeTimers?.setSystemTime(session.now());
  }

  /** Restores everything patched, in reverse order. */
  uninstall(): void {
    while (this.restores.length > 0) this.restores.pop()!();
    this.session = undefined;
  }

  private steerFakeTimers(): void {
    const timers = this.fakeTimers;
    if (!timers) return;
    const original = timers.useFakeTimers.bind(timers);
    const useFakeTimers = (config?: { now?: number | Date } & Record<string, unknown>) => {
      const session = this.session?.has('clock') ? this.session : undefined;
      // Jest merges the project's `fakeTimers` config into `config` before this call.
      this.fakeClockFromFreeze = session !== undefined && config?.now === undefined;
      return original(this.fakeClockFromFreeze && session ? { ...config, now: session.now() } : config);
    };
    replaceProperty(timers, 'useFakeTimers', useFakeTimers, this.restores);
  }
}
