/**
 * The parse cache's lazy form of a stored stream (see parse-cache.ts and
 * docs/streams-and-bodies.md): a response read from the cache keeps its `sse`
 * events as they were cached — each event's JSON `data` still compact text —
 * until something reads `sse`. Replay asks {@link sseEventsForReplay} and
 * {@link eventDataText} instead of knowing that form, so it writes the cached
 * text instead of parsing and serializing every event's data. Values computed
 * on first read ({@link defineLazy}) serve the cache and the lazy first read
 * of a large cassette (yaml-lazy-read.ts) alike.
 */
import { isJsonObject, type Json } from '../json';

/**
 * The key under which an event of a cached stream keeps its JSON `data` as
 * compact text.
 *
 * @example
 * { event: 'delta', [EVENT_DATA_TEXT]: '{"text":"hi"}' }
 */
export const EVENT_DATA_TEXT = 'data_json' as const;

/**
 * Where a response read from the parse cache holds (non-enumerable) its events
 * in the cached form, until its `sse` is read or replaced.
 *
 * @example
 * Object.defineProperty(response, UNPARSED_EVENTS, { value: events, configurable: true });
 */
export const UNPARSED_EVENTS: unique symbol = Symbol('agenttape.unparsedEvents');

/**
 * The events of a stored response to replay: the cached form when the response
 * came from the parse cache and its `sse` was never read (each event's data
 * then read through {@link eventDataText}), else its `sse` list; undefined when
 * it stores no `sse` list.
 *
 * @example
 * const events = sseEventsForReplay(interaction.response);
 * if (events) for (const event of events) send(serializeSseEntry(event));
 */
export function sseEventsForReplay(response: unknown): Json[] | undefined {
  if (!isJsonObject(response)) return undefined;
  const unparsed = (response as { [UNPARSED_EVENTS]?: Json[] })[UNPARSED_EVENTS];
  if (Array.isArray(unparsed)) return unparsed;
  return Array.isArray(response.sse) ? response.sse : undefined;
}

/**
 * An event's JSON `data` as the compact text the parse cache kept, or undefined
 * for an event whose `data` is parsed (or absent).
 *
 * @example
 * eventDataText({ [EVENT_DATA_TEXT]: '{"a":1}' }); // '{"a":1}'
 * eventDataText({ data: { a: 1 } });               // undefined
 */
export function eventDataText(event: object): string | undefined {
  const text = (event as { [EVENT_DATA_TEXT]?: unknown })[EVENT_DATA_TEXT];
  return typeof text === 'string' ? text : undefined;
}

/**
 * Makes `target[key]` compute its value on first read (or take the value it is
 * given), then hold it as a plain property in the same place among the keys.
 * Reading or replacing it also drops the unparsed form kept beside it.
 *
 * @example
 * defineLazy(interaction, 'response', () => JSON.parse(text) as Json);
 */
export function defineLazy(target: object, key: string, compute: () => Json): void {
  const settle = (self: object, value: Json) => {
    Object.defineProperty(self, key, { value, writable: true, enumerable: true, configurable: true });
    delete (self as { [UNPARSED_EVENTS]?: Json[] })[UNPARSED_EVENTS];
  };
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get(this: object): Json {
      const value = compute();
      settle(this, value);
      return value;
    },
    set(this: object, value: Json) {
      settle(this, value);
    },
  });
}
