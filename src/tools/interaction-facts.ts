/**
 * Reading the facts tools show about an interaction — a one-line label, the
 * model, tokens in and out — from the shapes the shared format allows (HTTP
 * exchanges of OpenAI and Anthropic, and the Python AgentTape's SDK-level
 * `llm` records).
 */
import type { Interaction } from '../cassette/cassette-schema';
import { isJsonObject, type JsonObject } from '../json';
import { tokenCounts } from '../usage/token-counts';

/**
 * The response of an HTTP interaction as a mapping, or undefined.
 *
 * @example
 * httpResponseOf(interaction)?.status_code; // 200
 */
export function httpResponseOf(interaction: Interaction): JsonObject | undefined {
  return isJsonObject(interaction.response) && 'status_code' in interaction.response ? interaction.response : undefined;
}

/**
 * A short label: `POST https://api.openai.com/v1/chat/completions -> 200`, `get_weather(city)`, or the model.
 *
 * @example
 * describeInteraction(interaction); // 'GET https://api.example.com/v1 -> 200'
 */
export function describeInteraction(interaction: Interaction): string {
  const { request } = interaction;
  if (typeof request.method === 'string' && typeof request.url === 'string') {
    const response = httpResponseOf(interaction);
    const outcome = interaction.error ? `error ${interaction.error.type}` : response ? String(response.status_code) : '?';
    return `${request.method} ${request.url} -> ${outcome}`;
  }
  if (typeof request.name === 'string') {
    const args = isJsonObject(request.args) ? Object.keys(request.args).join(', ') : '';
    return `${request.name}(${args})${interaction.error ? ` -> error ${interaction.error.type}` : ''}`;
  }
  const model = modelOf(interaction);
  return model ? `model ${model}` : interaction.boundary;
}

/**
 * The model an LLM interaction asked for, if the request or response names one.
 *
 * @example
 * modelOf(interaction); // 'gpt-4o-mini'
 */
export function modelOf(interaction: Interaction): string | undefined {
  const { request } = interaction;
  const body = isJsonObject(request.json) ? request.json : request;
  if (typeof body.model === 'string') return body.model;
  const response = interaction.response;
  if (isJsonObject(response)) {
    const responseBody = isJsonObject(response.json) ? response.json : response;
    if (typeof responseBody.model === 'string') return responseBody.model;
  }
  return undefined;
}

/** Tokens of one interaction. */
export interface TokenCount {
  input: number;
  output: number;
}

/**
 * Input and output tokens from `usage` (OpenAI, Anthropic and Google names,
 * read by src/usage/token-counts.ts), 0 where it gives none.
 *
 * @example
 * tokensOf({ usage: { prompt_tokens: 9, completion_tokens: 12 } } as Interaction); // { input: 9, output: 12 }
 */
export function tokensOf(interaction: Pick<Interaction, 'usage'>): TokenCount {
  const { input, output } = tokenCounts(interaction.usage);
  return { input: input ?? 0, output: output ?? 0 };
}
