import { serve } from '../../src/engine/decide';
import { jestRecordCommand, JEST_ADVICE } from '../../src/jest/jest-advice';
import { refusalError } from '../../src/report/miss-report';
import type { IncomingRequest } from '../../src/engine/match-index';
import { Tape } from '../../src/engine/tape';
import { config, URL_, interaction, doc, ask, owner, tape, none } from '../support/llm-tape';
import { RecordingRefusedInCiError, UnmatchedInteractionError } from '../../src/errors';

/** The error a request fails with, as the HTTP handler and the tool wrappers get it. */
function refuse(t: Tape, request: IncomingRequest) {
  const served = serve(t, request);
  return served.action === 'refuse' ? { action: 'refuse' as const, error: refusalError(t, served.refusal, JEST_ADVICE) } : served;
}

describe('the miss message', () => {
  test('names the test, cassette, mode, boundary, request, the closest recording with field paths, and how to fix it', () => {
    const t = tape(doc(interaction(0, 'What is the weather in London?'), interaction(1, 'Something else entirely, unrelated')), none);
    const decision = refuse(t, ask('What is the weather in Paris?'));
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
    refuse(t, ask('London'));
    const again = refuse(t, ask('London'));
    expect(again.action === 'refuse' && again.error.message).toContain('Every recording of this request was already replayed (each recording is served once, in order; 1 recorded).');

    const absent = refuse(tape(null, none), ask('London'));
    expect(absent.action === 'refuse' && absent.error.message).toContain(`Cassette: ${owner.cassettePath} (file does not exist)`);
    expect(absent.action === 'refuse' && absent.error.message).toContain('No cassette file exists for this test yet.');

    const other = refuse(tape(doc(interaction(0, 'London')), none), { kind: 'http', boundary: 'api.x.com', request: { method: 'GET', url: 'https://api.x.com/' } });
    expect(other.action === 'refuse' && other.error.message).toContain('The cassette holds no http recording for boundary api.x.com (it has 1 recording(s) in all).');
  });

  test('in CI a refused recording mode gives the CI message with the exact command', () => {
    const t = tape(null, { mode: 'none', source: 'default', refusedInCi: { mode: 'new_episodes', source: 'docblock' } });
    const decision = refuse(t, ask('London'));
    if (decision.action !== 'refuse') throw new Error('expected a refusal');
    expect(decision.error).toBeInstanceOf(RecordingRefusedInCiError);
    expect(decision.error.message).toContain('AgentTape: new llm request not recorded: Jest runs in CI (--ci or the CI variable), where only AGENTTAPE_MODE may record.');
    expect(decision.error.message).toContain('The mode "new_episodes" set in the @agenttape-mode docblock was ignored, so the test ran in replay mode and the request was not sent. Nothing was written.');
    expect(decision.error.message).toContain('To record, run: AGENTTAPE_MODE=record npx jest src/agent.test.ts -t "^weather answers$"');
  });

  test('the record command escapes regex characters in the test name and covers a whole file outside tests', () => {
    const named = new Tape({ ...owner, testName: 'costs $5 (a+b)?' }, null, config, none);
    expect(jestRecordCommand(named.owner)).toBe('AGENTTAPE_MODE=record npx jest src/agent.test.ts -t "^costs \\\\$5 \\\\(a\\\\+b\\\\)\\\\?$"');
    expect(jestRecordCommand({ ...owner, fileScope: true })).toBe('AGENTTAPE_MODE=record npx jest src/agent.test.ts');
  });
});
