/**
 * Token usage of an LLM response (SPEC §4), as the provider reported it: the
 * `usage` of a JSON body (OpenAI chat, embeddings and responses API, Anthropic
 * messages) or, for a stream, merged from its events (OpenAI's final
 * `stream_options.include_usage` chunk, `response.completed`, Anthropic's
 * `message_start` and `message_delta`). Where only input/output counts are
 * given, `prompt_tokens`, `completion_tokens` and `total_tokens` are added so
 * every reader of the shared format (the Python CLI's token totals included)
 * sees the same three numbers.
 */
import type { Json } from '../cassette/cassette-format';
import { sseDataObjects, type SseEntry } from './sse-events';

type JsonObject = { [key: string]: Json };

function asObject(value: Json | undefined): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

/** The usage objects a response body or event carries, outermost last so it wins. */
function usagesIn(body: JsonObject): JsonObject[] {
  const found: JsonObject[] = [];
  for (const holder of [asObject(body.message), asObject(body.response), body]) {
    const usage = holder && asObject(holder.usage);
    if (usage) found.push(usage);
  }
  return found;
}

function withTotals(usage: JsonObject): JsonObject {
  const out = { ...usage };
  const input = typeof usage.input_tokens === 'number' ? usage.input_tokens : undefined;
  const output = typeof usage.output_tokens === 'number' ? usage.output_tokens : undefined;
  if (out.prompt_tokens === undefined && input !== undefined) out.prompt_tokens = input;
  if (out.completion_tokens === undefined && output !== undefined) out.completion_tokens = output;
  if (out.total_tokens === undefined && typeof out.prompt_tokens === 'number') {
    out.total_tokens = out.prompt_tokens + (typeof out.completion_tokens === 'number' ? out.completion_tokens : 0);
  }
  return out;
}

/**
 * Token usage reported by a stored LLM response, or null when it reports none.
 *
 * @example
 * extractLlmUsage({ json: { usage: { input_tokens: 11, output_tokens: 8 } } });
 * // { input_tokens: 11, output_tokens: 8, prompt_tokens: 11, completion_tokens: 8, total_tokens: 19 }
 */
export function extractLlmUsage(storedResponse: { [key: string]: Json | undefined }): JsonObject | null {
  const bodies: JsonObject[] = [];
  const json = asObject(storedResponse.json);
  if (json) bodies.push(json);
  if (Array.isArray(storedResponse.sse)) bodies.push(...sseDataObjects(storedResponse.sse.map((e) => (asObject(e) ?? {}) as SseEntry)));
  let merged: JsonObject | undefined;
  for (const body of bodies) {
    for (const usage of usagesIn(body)) {
      merged ??= {};
      for (const [key, value] of Object.entries(usage)) if (value !== null) merged[key] = value;
    }
  }
  return merged && Object.keys(merged).length > 0 ? withTotals(merged) : null;
}
