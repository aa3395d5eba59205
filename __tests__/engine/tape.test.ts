import type { Interaction } from '../../src/cassette/cassette-schema';
import { interaction, doc, ask, tape, none } from '../support/llm-tape';

describe('Tape', () => {
  test('new_episodes writes the old recordings followed by the new ones, re-indexed, keeping created_at and run_id', () => {
    const t = tape(doc(interaction(0, 'London')), { mode: 'new_episodes', source: 'env' });
    t.replay(t.match(ask('London'))!);
    const { index: _index, ...fresh } = interaction(7, 'Paris');
    t.record(fresh);
    const written = t.toDocument('9.9.9', new Date('2030-01-01T00:00:00Z'));
    expect(written.interactions.map((i) => [i.index, (i.request.json as { messages: { content: string }[] }).messages[0].content])).toEqual([
      [0, 'London'],
      [1, 'Paris'],
    ]);
    expect(written.created_at).toBe('t');
    expect(written.run_id).toBe('r');
    expect(written.meta).toMatchObject({ agenttape_version: '9.9.9', mode: 'new_episodes', test_file: 'src/agent.test.ts', test_name: 'weather answers' });
    expect(t.timeline.map((e) => e.source)).toEqual(['replayed', 'recorded']);
  });

  test('a step recorded after a later one started takes its place by when it started, in the timeline and the written cassette', () => {
    const t = tape(null, { mode: 'once', source: 'default' });
    const slowStep = t.startStep({ awaited: true });
    const { index: _a, ...slow } = interaction(0, 'slow');
    const { index: _b, ...fast } = interaction(1, 'fast');
    const { index: _c, ...tool } = interaction(2, 'tool');
    t.record(fast); // started after the slow one, finished first
    slowStep.finish(() => slow);
    t.record(tool);
    const content = (i: Interaction) => (i.request.json as { messages: { content: string }[] }).messages[0].content;
    expect(t.timeline.map((e) => content(e.interaction))).toEqual(['slow', 'fast', 'tool']);
    expect(t.toDocument('9.9.9', new Date()).interactions.map((i) => [i.index, content(i)])).toEqual([
      [0, 'slow'],
      [1, 'fast'],
      [2, 'tool'],
    ]);
  });

  test('unused lists the recordings not served yet', () => {
    const t = tape(doc(interaction(0, 'a'), interaction(1, 'b')), none);
    t.replay(t.match(ask('b'))!);
    expect(t.unused().map((i) => i.index)).toEqual([0]);
    expect(t.dirty).toBe(false);
  });
});
