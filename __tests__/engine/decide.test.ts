import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CassetteDocument, Interaction } from '../../src/cassette/cassette-format';
import { loadConfig } from '../../src/config/config';
import type { ResolvedMode } from '../../src/config/modes';
import { decide, recordCommand } from '../../src/engine/decide';
import type { IncomingRequest } from '../../src/engine/match-index';
import { Tape } from '../../src/engine/tape';
import { CassetteCorruptError, RecordingRefusedInCiError, UnmatchedInteractionError } from '../../src/errors';

const PROJECT = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-decide-'));
afterAll(() => fs.rmSync(PROJECT, { recursive: true, force: true }));
const config = loadConfig(PROJECT);
const URL_ = 'https://api.openai.com/v1/chat/completions';

function interaction(index: number, content: string): Interaction {
  return {
    index,
    kind: 'llm',
    boundary: 'llm',
    request: { method: 'POST', url: URL_, json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content }] } },
    response: { status_code: 200, json: { ok: index } },
    match_key: '',
    latency_ms: 1,
    usage: null,
    tags: [],
    metadata: {},
  };
}

const doc = (...interactions: Interaction[]): CassetteDocument => ({ version: '1', created_at: 't', run_id: 'r', meta: { tags: [] }, interactions });
const ask = (content: string): IncomingRequest => ({ kind: 'llm', boundary: 'llm', request: { method: 'POST', url: URL_, json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content }] } } });
const owner = { testName: 'weather answers', testFile: 'src/agent.test.ts', cassettePath: '/p/cassettes/src/agent.test.ts/weather answers.yaml', fileScope: false };
const tape = (existing: CassetteDocument | null, mode: ResolvedMode, loadError?: Error) => new Tape(owner, existing, config, mode, loadError);
const none: ResolvedMode = { mode: 'none', source: 'default' };

describe('decide per mode (SPEC §3)', () => {
  test('none: replays a match, refuses anything else', () => {
    const t = tape(doc(interaction(0, 'London')), none);
    expect(decide(t, ask('London'))).toEqual({ action: 'replay', interaction: interaction(0, 'London') });
    const miss = decide(t, ask('London'));
    expect(miss.action).toBe('refuse');
  });

  test('once: records everything when the file is absent, replays strictly when it exists', () => {
    expect(decide(tape(null, { mode: 'once', source: 'env' }), ask('x')).action).toBe('record');
    const existing = tape(doc(interaction(0, 'London')), { mode: 'once', source: 'env' });
    expect(decide(existing, ask('London')).action).toBe('replay');
    expect(decide(existing, ask('Paris')).action).toBe('refuse');
  });

  test('new_episodes: replays what it has, records what is new', () => {
    const t = tape(doc(interaction(0, 'London')), { mode: 'new_episodes', source: 'env' });
    expect(decide(t, ask('London')).action).toBe('replay');
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
      expect(decision).toEqual({ action: 'refuse', error: corrupt });
    }
    expect(decide(tape(null, { mode: 'record', source: 'env' }, corrupt), ask('London')).action).toBe('record');
  });
});

describe('the miss message (SPEC §6)', () => {
  test('names the test, cassette, mode, boundary, request, the closest recording with field paths, and how to fix it', () => {
    const t = tape(doc(interaction(0, 'What is the weather in London?'), interaction(1, 'Something else entirely, unrelated')), none);
    const decision = decide(t, ask('What is the weather in Paris?'));
    if (decision.action !== 'refuse') throw new Error('expected a refusal');
    expect(decision.error).toBeInstanceOf(UnmatchedInteractionError);
    expect(decision.error.code).toBe('ERR_AGENTTAPE_UNMATCHED');
    expect(decision.error.message).toBe(
      [
        'AgentTape: no recording matches this llm request; it was not sent.',
        '',
        '  Test:     weather answers',
        `  Cassette: ${owner.cassettePath}`,
        '  Mode:     none (replay only; from default)',
        '  Boundary: llm llm',
        '',
        'Request:',
        `  POST ${URL_}`,
        '  json: {"messages":[{"content":"What is the weather in Paris?","role":"user"}],"model":"gpt-4o-mini"}',
        '',
        'Closest recording: interaction #0 (differs in 1 field(s)):',
        "  json.messages[0].content: expected 'What is the weather in London?', received 'What is the weather in Paris?'",
        '',
        'How to fix:',
        '  - If the change is intended, re-record this test: AGENTTAPE_MODE=record npx jest src/agent.test.ts -t "^weather answers$"',
        '  - If a field changes on every run, add it to "ignoreVolatileFields" in agenttape.config.json.',
        '  - To add new requests while keeping the recorded ones: AGENTTAPE_MODE=new_episodes.',
        '  - To run this boundary for real and serve the rest from the cassette: cassette.use({ live: ["llm"] }) or @agenttape-live llm (the run goes to weather answers.derived.yaml; the cassette stays unchanged).',
      ].join('\n'),
    );
  });

  test('says when the recording was already replayed, when no file exists, and when the boundary has no recording', () => {
    const t = tape(doc(interaction(0, 'London')), none);
    decide(t, ask('London'));
    const again = decide(t, ask('London'));
    expect(again.action === 'refuse' && again.error.message).toContain('Every recording of this request was already replayed (each recording is served once, in order; 1 recorded).');

    const absent = decide(tape(null, none), ask('London'));
    expect(absent.action === 'refuse' && absent.error.message).toContain(`Cassette: ${owner.cassettePath} (file does not exist)`);
    expect(absent.action === 'refuse' && absent.error.message).toContain('No cassette file exists for this test yet.');

    const other = decide(tape(doc(interaction(0, 'London')), none), { kind: 'http', boundary: 'api.x.com', request: { method: 'GET', url: 'https://api.x.com/' } });
    expect(other.action === 'refuse' && other.error.message).toContain('The cassette holds no http recording for boundary api.x.com (it has 1 recording(s) in all).');
  });

  test('in CI a refused recording mode gives the CI message with the exact command', () => {
    const t = tape(null, { mode: 'none', source: 'default', refusedInCi: { mode: 'new_episodes', source: 'docblock' } });
    const decision = decide(t, ask('London'));
    if (decision.action !== 'refuse') throw new Error('expected a refusal');
    expect(decision.error).toBeInstanceOf(RecordingRefusedInCiError);
    expect(decision.error.message).toContain('AgentTape: new llm request not recorded: Jest runs in CI (--ci or the CI variable), where only AGENTTAPE_MODE may record.');
    expect(decision.error.message).toContain('The mode "new_episodes" set in the @agenttape-mode docblock was ignored, so the test ran in replay mode and the request was not sent. Nothing was written.');
    expect(decision.error.message).toContain('To record, run: AGENTTAPE_MODE=record npx jest src/agent.test.ts -t "^weather answers$"');
  });

  test('the record command escapes regex characters in the test name and covers a whole file outside tests', () => {
    const named = new Tape({ ...owner, testName: 'costs $5 (a+b)?' }, null, config, none);
    expect(recordCommand(named)).toBe('AGENTTAPE_MODE=record npx jest src/agent.test.ts -t "^costs \\\\$5 \\\\(a\\\\+b\\\\)\\\\?$"');
    expect(recordCommand(new Tape({ ...owner, fileScope: true }, null, config, none))).toBe('AGENTTAPE_MODE=record npx jest src/agent.test.ts');
  });
});

describe('Tape', () => {
  test('new_episodes writes the old recordings followed by the new ones, re-indexed, keeping created_at and run_id', () => {
    const t = tape(doc(interaction(0, 'London')), { mode: 'new_episodes', source: 'env' });
    t.take(ask('London'));
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
    const slowStarted = t.begin();
    const { index: _a, ...slow } = interaction(0, 'slow');
    const { index: _b, ...fast } = interaction(1, 'fast');
    const { index: _c, ...tool } = interaction(2, 'tool');
    t.record(fast); // started after the slow one, finished first
    t.record(slow, 'recorded', slowStarted);
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
    t.take(ask('b'));
    expect(t.unused().map((i) => i.index)).toEqual([0]);
    expect(t.dirty).toBe(false);
  });
});
