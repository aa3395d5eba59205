/**
 * Token usage of an LLM response (see docs/format.md), as the provider reported it: the
 * `usage` of a JSON body (OpenAI chat, embeddings and responses API, Anthropic
 * messages, Mistral, Groq, DeepSeek and the other OpenAI-compatible APIs),
 * Google Gemini's `usageMetadata`, or, for a stream, merged from its events
 * (OpenAI's final `stream_options.include_usage` chunk, `response.completed`,
 * Anthropic's `message_start` and `message_delta`, Groq's `x_groq.usage`,
 * Gemini's last chunk). Where only input/output counts (or Gemini's token
 * counts) are given, `prompt_tokens`, `completion_tokens` and `total_tokens`
 * are added so every reader of the shared format (the Python CLI's token
 * totals included) sees the same three numbers.
 */
import { isJsonObject, type Json, type JsonObject } from '../json';
import { tokenCounts } from '../usage/token-counts';
import { sseDataObjects, type SseEntry } from './sse-events';

function asObject(value: Json | undefined): JsonObject | undefined {
  return isJsonObject(value) ? value : undefined;
}

/** The usage objects a response body or event carries, outermost last so it wins. */
function usagesIn(body: JsonObject): JsonObject[] {
  const found: JsonObject[] = [];
  // Groq puts a stream's usage under `x_groq`; Gemini names it `usageMetadata`.
  for (const holder of [asObject(body.x_groq), asObject(body.message), asObject(body.response), body]) {
    const usage = holder && (asObject(holder.usage) ?? asObject(holder.usageMetadata));
    if (usage) found.push(usage);
  }
  return found;
}

/** The usage with the three OpenAI names filled in from whatever names it has (src/usage/token-counts.ts reads them). */
function withTotals(usage: JsonObject): JsonObject {
  const out = { ...usage };
  const { input, output, total } = tokenCounts(usage);
  if (out.prompt_tokens === undefined && input !== undefined) out.prompt_tokens = input;
  if (out.completion_tokens === undefined && output !== undefined) out.completion_tokens = output;
  // A total is written when the provider gave one or an input count to add to: output alone is not a total.
  if (out.total_tokens === undefined && total !== undefined && (input !== undefined || typeof usage.totalTokenCount === 'number')) out.total_tokens = total;
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
  // Gemini's streamGenerateContent without `alt=sse` answers one JSON array of chunks.
  if (Array.isArray(storedResponse.json)) {
    for (const item of storedResponse.json) {
      const chunk = asObject(item);
      if (chunk) bodies.push(chunk);
    }
  }
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
