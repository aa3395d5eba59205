/**
 * Estimated cost of recorded LLM calls. Prices are USD per million tokens,
 * looked up by the longest model-name prefix; a project sets its own (the
 * `prices` configuration key, or `--prices prices.json`) when its contract
 * differs from list prices.
 */
import * as fs from 'node:fs';
import { checkPrices, type ModelPrice } from '../config/config';
import { UsageError } from '../errors';

export type { ModelPrice };

/** Model-name prefix -> price. */
export type PriceTable = Record<string, ModelPrice>;

/**
 * List prices at the time of writing; estimates, not invoices.
 *
 * @example
 * priceOf('gpt-4o-mini', DEFAULT_PRICES); // { input: 0.15, output: 0.6 }
 */
export const DEFAULT_PRICES: PriceTable = {
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5': { input: 1.25, output: 10 },
  o3: { input: 2, output: 8 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'claude-haiku-4': { input: 1, output: 5 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-opus-4': { input: 15, output: 75 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5 },
  'gemini-2.5-pro': { input: 1.25, output: 10 },
};

/**
 * The price of a model: the entry with the longest matching prefix.
 *
 * @example
 * priceOf('gpt-4o-mini-2024-07-18', DEFAULT_PRICES); // { input: 0.15, output: 0.6 }
 */
export function priceOf(model: string | undefined, table: PriceTable): ModelPrice | undefined {
  if (!model) return undefined;
  const lower = model.toLowerCase();
  let best: string | undefined;
  for (const prefix of Object.keys(table)) {
    if (lower.startsWith(prefix.toLowerCase()) && (best === undefined || prefix.length > best.length)) best = prefix;
  }
  return best === undefined ? undefined : table[best];
}

/**
 * Reads a price table from JSON (`{ "model-prefix": { "input": 1, "output": 2 } }`),
 * merged over `base` (the built-in table by default).
 *
 * @example
 * const prices = loadPriceTable('prices.json');
 */
export function loadPriceTable(file: string, base: PriceTable = DEFAULT_PRICES): PriceTable {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read the price table ${file}: ${(error as Error).message}. Pass a JSON file like {"gpt-4o": {"input": 2.5, "output": 10}} (USD per million tokens).`);
  }
  const checked = checkPrices(data);
  if ('prices' in checked) return { ...base, ...checked.prices };
  const { problem } = checked;
  if (problem.kind === 'not-an-object') {
    throw new UsageError(`the price table ${file} is not a JSON object. Write {"model-prefix": {"input": 2.5, "output": 10}} (USD per million tokens).`);
  }
  throw new UsageError(`the price of "${problem.model}" in ${file} is ${JSON.stringify(problem.price)}. Give numbers: {"input": 2.5, "output": 10} (USD per million tokens).`);
}

/**
 * The cost in USD of a number of tokens at a price.
 *
 * @example
 * costOf({ input: 1000, output: 500 }, { input: 2.5, output: 10 }); // 0.0075
 */
export function costOf(tokens: { input: number; output: number }, price: ModelPrice): number {
  return (tokens.input * price.input + tokens.output * price.output) / 1_000_000;
}
