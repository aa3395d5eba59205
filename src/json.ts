/**
 * JSON values as the cassette format stores them (docs/format.md), and the one
 * test for "a mapping": not null, not a list. Every module that looks inside a
 * stored value uses {@link isJsonObject}, so they all agree on what a mapping is.
 */

/**
 * A JSON-like value as it is stored in a cassette.
 *
 * @example
 * const body: Json = { messages: [{ role: 'user', content: 'hi' }] };
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A JSON object: a mapping from keys to {@link Json} values.
 *
 * @example
 * const headers: JsonObject = { 'content-type': 'application/json' };
 */
export type JsonObject = { [key: string]: Json };

/**
 * True for a mapping (an object that is neither null nor a list), as stored
 * values are read.
 *
 * @example
 * isJsonObject({ a: 1 }); // true
 * isJsonObject([1]);      // false
 * isJsonObject(null);     // false
 */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
