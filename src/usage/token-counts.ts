/**
 * The one reader of token counts in a `usage` object (docs/format.md,
 * `usage`): whichever names the provider used — OpenAI's
 * `prompt_tokens`/`completion_tokens`/`total_tokens`, Anthropic's and the
 * responses API's `input_tokens`/`output_tokens`, Gemini's `usageMetadata`
 * counts — and whoever wrote the cassette (our recorder, the Python
 * AgentTape, an `llm()` wrapper's own `usage`). The recorder
 * (src/http/llm-usage.ts), the run summary's token total
 * (src/usage/cassette-usage.ts) and `inspect`/`view` (src/tools/interaction-facts.ts)
 * all read counts here, so they agree on every shape.
 */
import type { Json } from '../json';

/** Token counts of one `usage` object; a count the object does not give is undefined. */
export interface TokenCounts {
  input: number | undefined;
  output: number | undefined;
  total: number | undefined;
}

const numberOf = (value: Json | undefined): number | undefined => (typeof value === 'number' ? value : undefined);

/**
 * Reads input, output and total tokens from a `usage` object. The first name
 * present wins: `prompt_tokens`, `input_tokens`, Gemini's `promptTokenCount`
 * for input; `completion_tokens`, `output_tokens`, then Gemini's
 * `candidatesTokenCount` plus `thoughtsTokenCount` for output (Gemini counts
 * thinking apart from the answer; OpenAI counts reasoning inside
 * `completion_tokens`); `total_tokens`, `totalTokenCount`, then input plus
 * output for the total.
 *
 * @example
 * tokenCounts({ input_tokens: 11, output_tokens: 8 }); // { input: 11, output: 8, total: 19 }
 * tokenCounts({ promptTokenCount: 4, candidatesTokenCount: 2, thoughtsTokenCount: 3 }); // { input: 4, output: 5, total: 9 }
 * tokenCounts(null); // { input: undefined, output: undefined, total: undefined }
 */
export function tokenCounts(usage: { [key: string]: Json } | null | undefined): TokenCounts {
  if (!usage) return { input: undefined, output: undefined, total: undefined };
  const input = numberOf(usage.prompt_tokens) ?? numberOf(usage.input_tokens) ?? numberOf(usage.promptTokenCount);
  const candidates = numberOf(usage.candidatesTokenCount);
  const thoughts = numberOf(usage.thoughtsTokenCount);
  const gemini = candidates !== undefined || thoughts !== undefined ? (candidates ?? 0) + (thoughts ?? 0) : undefined;
  const output = numberOf(usage.completion_tokens) ?? numberOf(usage.output_tokens) ?? gemini;
  const sum = input !== undefined || output !== undefined ? (input ?? 0) + (output ?? 0) : undefined;
  const total = numberOf(usage.total_tokens) ?? numberOf(usage.totalTokenCount) ?? sum;
  return { input, output, total };
}
