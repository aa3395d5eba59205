/**
 * Custom matchers (SPEC §11). Loaded by the preset through
 * `setupFilesAfterEnv`; importing this module registers them.
 */
import type { Interaction } from '../cassette/cassette-format';
import { isCassetteHandle, tapeOf } from './cassette-handle';
import './matchers-types';

type MatcherResult = { pass: boolean; message: () => string };
type MatcherContext = jest.MatcherContext;

function describeInteraction(interaction: Interaction): string {
  const request = interaction.request;
  const what =
    typeof request.method === 'string'
      ? `${String(request.method)} ${String(request.url)}`
      : `${String(request.name ?? interaction.boundary)}(${JSON.stringify(request.args ?? {})})`;
  return `#${interaction.index} ${interaction.kind} ${interaction.boundary}: ${what}`;
}

function misuse(context: MatcherContext, matcherName: string, received: unknown): MatcherResult | undefined {
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
    const tape = tapeOf(received)!;
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
};

const globalExpect = (globalThis as { expect?: { extend(matchers: object): void } }).expect;
if (globalExpect) globalExpect.extend(agentTapeMatchers);
