import { decide, serve } from '../../src/engine/decide';
import { interaction, doc, ask, tape, none } from '../support/llm-tape';
import { CassetteCorruptError } from '../../src/errors';

describe('decide per mode', () => {
  test('none: replays a match, refuses anything else', () => {
    const t = tape(doc(interaction(0, 'London')), none);
    expect(serve(t, ask('London'))).toEqual({ action: 'replay', interaction: interaction(0, 'London') });
    const miss = decide(t, ask('London'));
    expect(miss).toEqual({ action: 'refuse', refusal: { reason: 'unmatched', incoming: ask('London'), frozen: false } });
  });

  test('once: records everything when the file is absent, replays strictly when it exists', () => {
    expect(decide(tape(null, { mode: 'once', source: 'env' }), ask('x')).action).toBe('record');
    const existing = tape(doc(interaction(0, 'London')), { mode: 'once', source: 'env' });
    expect(decide(existing, ask('London')).action).toBe('replay');
    expect(decide(existing, ask('Paris')).action).toBe('refuse');
  });

  test('new_episodes: replays what it has, records what is new', () => {
    const t = tape(doc(interaction(0, 'London')), { mode: 'new_episodes', source: 'env' });
    expect(serve(t, ask('London')).action).toBe('replay');
    expect(decide(t, ask('London')).action).toBe('record');
  });

  test('all and record: always record, ignoring what the file holds', () => {
    for (const mode of ['all', 'record'] as const) {
      const t = tape(doc(interaction(0, 'London')), { mode, source: 'env' });
      expect(decide(t, ask('London')).action).toBe('record');
      expect(t.recordings).toEqual([]);
    }
  });

  test('a cassette that could not be read is refused in every replaying mode, recorded over only by all/record', () => {
    const corrupt = new CassetteCorruptError('Cassette x is corrupt');
    for (const mode of ['none', 'once', 'new_episodes'] as const) {
      const decision = decide(tape(null, { mode, source: 'env' }, corrupt), ask('London'));
      expect(decision).toEqual({ action: 'refuse', refusal: { reason: 'unreadable', error: corrupt } });
    }
    expect(decide(tape(null, { mode: 'record', source: 'env' }, corrupt), ask('London')).action).toBe('record');
  });

  test('deciding takes nothing from the tape: only serve uses the recording', () => {
    const t = tape(doc(interaction(0, 'London')), none);
    const first = decide(t, ask('London'));
    expect(first.action).toBe('replay');
    expect(decide(t, ask('London'))).toEqual(first);
    expect(t.unused()).toHaveLength(1);
    expect(t.timeline).toEqual([]);
    expect(serve(t, ask('London')).action).toBe('replay');
    expect(t.unused()).toEqual([]);
    expect(t.timeline.map((entry) => entry.source)).toEqual(['replayed']);
  });

  test('in CI a refused recording mode is its own refusal', () => {
    const t = tape(null, { mode: 'none', source: 'default', refusedInCi: { mode: 'new_episodes', source: 'docblock' } });
    expect(decide(t, ask('London'))).toEqual({ action: 'refuse', refusal: { reason: 'refused-in-ci', incoming: ask('London') } });
  });
});
