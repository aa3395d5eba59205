/**
 * Custom matchers (see docs/boundaries.md, "Matchers"). Loaded by the preset through
 * `setupFilesAfterEnv`; importing this module registers them.
 */
import type { Interaction } from '../cassette/cassette-schema';
import './matchers-types';

/*
 * This module runs in every test file's sandbox (the preset's
 * setupFilesAfterEnv), where Jest evaluates each module it requires afresh for
 * every file. So it requires nothing at load: a matcher loads what it needs
 * when it is first called, and a file that never calls one pays nothing.
 */
const handles = (): typeof import('../session/cassette-handle') => require('../session/cassette-handle') as typeof import('../session/cassette-handle');
const sequences = (): typeof import('./call-sequence') => require('./call-sequence') as typeof import('./call-sequence');

type MatcherResult = { pass: boolean; message: () => string };
type MatcherContext = jest.MatcherContext;

function describeInteraction(interaction: Interaction): string {
  const request = interaction.request;
  const what = typeof request.method === 'string' ? `${String(request.method)} ${String(request.url)}` : `${String(request.name ?? interaction.boundary)}(${JSON.stringify(request.args ?? {})})`;
  return `#${interaction.index} ${interaction.kind} ${interaction.boundary}: ${what}`;
}

function misuse(context: MatcherContext, matcherName: string, received: unknown): MatcherResult | undefined {
  const { isCassetteHandle, tapeOf } = handles();
  if (isCassetteHandle(received)) {
    if (tapeOf(received)) return undefined;
    return {
      pass: false,
      message: () =>
        `${context.utils.matcherHint(matcherName, 'cassette', '')}\n\n` +
        `No cassette is active: this test file does not run in the AgentTape environment.\n` +
        `Use preset: 'agenttape' (or testEnvironment: 'agenttape/environment') in your Jest config.`,
    };
  }
  throw new Error(
    `${context.utils.matcherHint(matcherName, 'received', '')}\n\n` +
      `${context.utils.RECEIVED_COLOR('received')} value must be the cassette handle: import { cassette } from 'agenttape'\n\n` +
      `Received has value: ${context.utils.printReceived(received)}`,
  );
}

/**
 * The AgentTape matchers, for `expect.extend` in setups that do not use the preset.
 *
 * @example
 * import { agentTapeMatchers } from 'agenttape/matchers';
 * expect.extend(agentTapeMatchers);
 */
export const agentTapeMatchers = {
  /** Passes when every recorded interaction of this test was replayed. */
  toHaveReplayedAll(this: MatcherContext, received: unknown): MatcherResult {
    const name = 'toHaveReplayedAll';
    const wrong = misuse(this, name, received);
    if (wrong) return wrong;
    const tape = handles().tapeOf(received)!;
    const unused = tape.unused();
    const total = tape.recordings.length;
    const hint = this.utils.matcherHint(name, 'cassette', '', { isNot: this.isNot });
    const where = `Cassette: ${tape.owner.cassettePath}`;
    if (unused.length === 0) {
      return {
        pass: true,
        message: () => `${hint}\n\nExpected some recorded interaction not to be replayed, but all ${total} were.\n${where}`,
      };
    }
    return {
      pass: false,
      message: () =>
        `${hint}\n\nExpected every recorded interaction to be replayed, but ${unused.length} of ${total} ${unused.length === 1 ? 'was' : 'were'} not:\n` +
        `${unused.map((i) => `  ${this.utils.EXPECTED_COLOR(describeInteraction(i))}`).join('\n')}\n\n${where}\n` +
        `If the agent no longer makes these calls, re-record the test with AGENTTAPE_MODE=record.`,
    };
  },

  /** Passes when this test called exactly these tool and retrieval boundaries, in this order. */
  toHaveCalledTools(this: MatcherContext, received: unknown, expected: readonly string[]): MatcherResult {
    const name = 'toHaveCalledTools';
    const wrong = misuse(this, name, received);
    if (wrong) return wrong;
    if (!Array.isArray(expected) || expected.some((n) => typeof n !== 'string')) {
      throw new Error(
        `${this.utils.matcherHint(name, 'cassette', 'names', { isNot: this.isNot })}\n\n` +
          `${this.utils.EXPECTED_COLOR('expected')} value must be an array of tool names\n\n` +
          `Expected has value: ${this.utils.printExpected(expected)}`,
      );
    }
    const tape = handles().tapeOf(received)!;
    const actual = sequences().calledTools(tape);
    const pass = this.equals(actual, Array.from<string>(expected));
    const hint = this.utils.matcherHint(name, 'cassette', 'names', { isNot: this.isNot });
    const where = `Cassette: ${tape.owner.cassettePath}`;
    return {
      pass,
      message: () =>
        pass
          ? `${hint}\n\nExpected the tool calls not to be: ${this.utils.printExpected(expected)}\n${where}`
          : `${hint}\n\n${this.utils.printDiffOrStringify(Array.from<string>(expected), actual, 'Expected tools', 'Called tools', this.expand !== false)}\n\n${where}`,
    };
  },

  /** Passes when this run's sequence of interactions equals the recorded one. */
  toMatchRecording(this: MatcherContext, received: unknown): MatcherResult {
    const name = 'toMatchRecording';
    const wrong = misuse(this, name, received);
    if (wrong) return wrong;
    const tape = handles().tapeOf(received)!;
    const { recordedSequence, runSequence } = sequences();
    const recorded = recordedSequence(tape);
    const actual = runSequence(tape);
    const pass = recorded !== undefined && this.equals(actual, recorded);
    const hint = this.utils.matcherHint(name, 'cassette', '', { isNot: this.isNot });
    const where = `Cassette: ${tape.owner.cassettePath}`;
    if (recorded === undefined) {
      return { pass, message: () => `${hint}\n\nThere is no recording to compare with: the cassette file did not exist before this run.\n${where}` };
    }
    return {
      pass,
      message: () =>
        pass
          ? `${hint}\n\nExpected this run to differ from the recording, but its ${actual.length} interaction(s) are the same, in the same order.\n${where}`
          : `${hint}\n\nThis run's interactions differ from the recording:\n\n${this.utils.diff(recorded, actual, { aAnnotation: 'Recorded', bAnnotation: 'This run', expand: false }) ?? ''}\n\n${where}\n` +
            `If the agent's behaviour changed on purpose, re-record the test with AGENTTAPE_MODE=record.`,
    };
  },
};

const globalExpect = (globalThis as { expect?: { extend(matchers: object): void } }).expect;
if (globalExpect) globalExpect.extend(agentTapeMatchers);
