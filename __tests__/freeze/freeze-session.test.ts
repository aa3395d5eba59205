import { FreezeSession } from '../../src/freeze/freeze-session';
import { createSeededRandom } from '../../src/freeze/seeded-random';

const ALL = ['clock', 'uuid', 'random'];
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('FreezeSession', () => {
  test('a fresh session freezes the real time it was given and records what it hands out', () => {
    const session = new FreezeSession({ features: ALL, envSnapshot: ['MODEL_TIER'], env: { MODEL_TIER: 'large' }, realNow: Date.UTC(2026, 0, 2, 3, 4, 5, 678) });
    expect(session.replaying).toBe(false);
    expect(session.now()).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    const uuids = [session.nextUuid(), session.nextUuid()];
    expect(uuids[0]).toMatch(UUID_V4);
    expect(uuids[0]).not.toBe(uuids[1]);
    const meta = session.toMeta();
    expect(meta).toEqual({
      features: ['clock', 'uuid', 'random'],
      base_time: 1767323045.678,
      base_iso: '2026-01-02T03:04:05.678Z',
      random_seed: session.randomSeed,
      uuids,
      env: { MODEL_TIER: 'large' },
    });
  });

  test('a replayed session gives back exactly the recorded values, whatever the real clock says', () => {
    const first = new FreezeSession({ features: ALL, envSnapshot: [], env: {}, realNow: 1_000 });
    const values = [first.nextUuid(), first.random(), first.random()];
    const replay = new FreezeSession({ features: ALL, recorded: first.toMeta(), envSnapshot: [], env: {}, realNow: 9_999_999 });
    expect(replay.replaying).toBe(true);
    expect(replay.now()).toBe(1_000);
    expect([replay.nextUuid(), replay.random(), replay.random()]).toEqual(values);
  });

  test('UUIDs asked beyond the recording are derived from the seed, so a replay stays deterministic', () => {
    const recorded = { features: ALL, base_iso: '2026-01-01T00:00:00.000Z', random_seed: 7, uuids: ['11111111-1111-4111-8111-111111111111'] };
    const a = new FreezeSession({ features: ALL, recorded, envSnapshot: [], env: {}, realNow: 0 });
    const b = new FreezeSession({ features: ALL, recorded, envSnapshot: [], env: {}, realNow: 0 });
    expect(a.nextUuid()).toBe('11111111-1111-4111-8111-111111111111');
    expect(b.nextUuid()).toBe('11111111-1111-4111-8111-111111111111');
    const extra = a.nextUuid();
    expect(extra).toMatch(UUID_V4);
    expect(b.nextUuid()).toBe(extra);
    expect(a.toMeta().uuids).toEqual(['11111111-1111-4111-8111-111111111111', extra]);
  });

  test('reads the Python AgentTape shape: base_time in seconds when base_iso is absent', () => {
    const session = new FreezeSession({ features: ['clock'], recorded: { features: ['clock'], base_time: 1767225600.25 }, envSnapshot: [], env: {}, realNow: 0 });
    expect(session.now()).toBe(1767225600250);
  });

  test('only the enabled features are written', () => {
    expect(new FreezeSession({ features: [], envSnapshot: [], env: {}, realNow: 5 }).toMeta()).toEqual({ features: [] });
    expect(Object.keys(new FreezeSession({ features: ['random'], envSnapshot: [], env: {}, realNow: 5 }).toMeta())).toEqual(['features', 'random_seed']);
  });

  test('environment drift lists each variable whose value changed, with both values', () => {
    const recorded = { features: [], env: { MODEL_TIER: 'large', REGION: 'eu', UNSET_BEFORE: null } };
    const session = new FreezeSession({
      features: [],
      recorded,
      envSnapshot: ['MODEL_TIER', 'REGION', 'UNSET_BEFORE', 'NEW_ONE'],
      env: { MODEL_TIER: 'small', REGION: 'eu', UNSET_BEFORE: 'now-set', NEW_ONE: 'x' },
      realNow: 0,
    });
    expect(session.drift).toEqual([
      { name: 'MODEL_TIER', recorded: 'large', current: 'small' },
      { name: 'UNSET_BEFORE', recorded: null, current: 'now-set' },
    ]);
    // The recording keeps its own values; a variable new to the snapshot is captured now.
    expect(session.toMeta().env).toEqual({ MODEL_TIER: 'large', REGION: 'eu', UNSET_BEFORE: null, NEW_ONE: 'x' });
  });
});

describe('createSeededRandom', () => {
  test('the same seed gives the same sequence in [0, 1); another seed another one', () => {
    const a = createSeededRandom(42);
    const b = createSeededRandom(42);
    const c = createSeededRandom(43);
    const seqA = Array.from({ length: 1000 }, a);
    expect(Array.from({ length: 1000 }, b)).toEqual(seqA);
    expect(Array.from({ length: 5 }, c)).not.toEqual(seqA.slice(0, 5));
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(seqA).size).toBe(1000);
    const mean = seqA.reduce((s, x) => s + x, 0) / seqA.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});
