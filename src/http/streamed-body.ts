/**
 * Streamed response bodies: the chunks a client received, in order, each with
 * the delay since the one before, stored readably and turned back into the same
 * chunks on replay.
 *
 * Stored shapes, inside `response`:
 * - `sse`: for `text/event-stream`, one entry per event (see sse-events.ts).
 *   An event that starts a chunk carries `delay_ms`; an event without it
 *   arrived in the same chunk as the one before. A chunk that began inside an
 *   event is a `chunk_breaks` entry `{ at, delay_ms }` (`at` counts characters
 *   of the event's text).
 * - `chunks`: for other streamed bodies, `{ delay_ms, text }` or
 *   `{ delay_ms, body_b64 }` per chunk.
 */
import { sseEventsForReplay } from '../cassette/cached-events';
import { toStoredMs } from '../cassette/cassette-schema';
import { isJsonObject, type Json } from '../json';
import { decodeUtf8 } from './body-codec';
import { parseSse, serializeSseEntry } from './sse-events';

/** One chunk of a body and how long after the previous one it arrived. */
export interface TimedChunk {
  delayMs: number;
  bytes: Buffer;
}

/**
 * True for a server-sent events content type.
 *
 * @example
 * isEventStream('text/event-stream; charset=utf-8'); // true
 */
function isEventStream(contentType: string): boolean {
  return /^text\/event-stream/i.test(contentType.trim());
}

/**
 * True when a body that arrived this way is stored chunk by chunk: event
 * streams always; other bodies when they were streamed (no content-length),
 * came in several chunks and are not JSON (a JSON document reads best whole).
 *
 * @example
 * isStreamedBody('application/x-ndjson', { contentLength: false, chunkCount: 3 }); // true
 */
export function isStreamedBody(contentType: string, wire: { contentLength: boolean; chunkCount: number }): boolean {
  if (isEventStream(contentType)) return true;
  return !wire.contentLength && wire.chunkCount > 1 && !/[/+]json\b/i.test(contentType);
}

function encodeRawChunks(chunks: readonly TimedChunk[]): { chunks: Json } {
  return {
    chunks: chunks.map(({ delayMs, bytes }): { [key: string]: Json } => {
      const text = decodeUtf8(bytes);
      return text === undefined ? { delay_ms: toStoredMs(delayMs), body_b64: bytes.toString('base64') } : { delay_ms: toStoredMs(delayMs), text };
    }),
  };
}

/**
 * The stored form of a streamed body.
 *
 * @example
 * encodeStreamedBody([{ delayMs: 3, bytes: Buffer.from('data: {"a":1}\n\n') }], 'text/event-stream');
 * // { sse: [{ delay_ms: 3, data: { a: 1 } }] }
 */
export function encodeStreamedBody(chunks: readonly TimedChunk[], contentType: string): { [key: string]: Json } {
  if (!isEventStream(contentType)) return encodeRawChunks(chunks);
  // Chunk starts as character offsets; a chunk that splits a character cannot be stored as text.
  const starts: { at: number; delayMs: number }[] = [];
  let text = '';
  for (const chunk of chunks) {
    if (chunk.bytes.length === 0) continue;
    const part = decodeUtf8(chunk.bytes);
    if (part === undefined) return encodeRawChunks(chunks);
    starts.push({ at: text.length, delayMs: chunk.delayMs });
    text += part;
  }
  const events = parseSse(text);
  const entries: { [key: string]: Json }[] = events.map(() => ({}));
  const breaks: { [key: string]: Json }[][] = events.map(() => []);
  let current = 0;
  for (const { at, delayMs } of starts) {
    while (current < events.length - 1 && events[current].end <= at) current++;
    const event = events[current];
    if (!event) break;
    if (at === event.start) entries[current].delay_ms = toStoredMs(delayMs);
    else breaks[current].push({ at: at - event.start, delay_ms: toStoredMs(delayMs) });
  }
  return {
    sse: events.map((event, i) => {
      const entry: { [key: string]: Json } = { ...entries[i], ...(event.entry as { [key: string]: Json }) };
      if (breaks[i].length > 0) entry.chunk_breaks = breaks[i];
      return entry;
    }),
  };
}

function delayOf(value: Json | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function asEntry(value: Json): { [key: string]: Json } {
  return isJsonObject(value) ? value : {};
}

const UTF8 = new TextEncoder();

/**
 * The UTF-8 bytes of a chunk in memory of their own. Buffer.from would place a
 * small chunk in Node's shared pool, and the replayed stream would then have to
 * copy it before handing it to a client that may keep or transfer it.
 */
function ownedUtf8(text: string): Buffer {
  const bytes = UTF8.encode(text);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function sseChunks(entries: Json[]): TimedChunk[] {
  const chunks: TimedChunk[] = [];
  // The text of the chunk being built: one Buffer per chunk, not one per event (a stream has hundreds).
  let pending = '';
  let pendingDelay = 0;
  const cut = (nextDelay: number) => {
    if (pending !== '') chunks.push({ delayMs: pendingDelay, bytes: ownedUtf8(pending) });
    pending = '';
    pendingDelay = nextDelay;
  };
  for (let i = 0; i < entries.length; i++) {
    const entry = asEntry(entries[i]);
    const text = serializeSseEntry(entry);
    const delay = delayOf(entry.delay_ms);
    if (delay !== undefined || i === 0) cut(delay ?? 0);
    if (!Array.isArray(entry.chunk_breaks)) {
      pending += text;
      continue;
    }
    let from = 0;
    for (const brk of entry.chunk_breaks.map(asEntry)) {
      // Redaction may have shortened the event since the break was measured: skip breaks that no longer fit.
      const at = typeof brk.at === 'number' ? brk.at : -1;
      if (at <= from || at >= text.length) continue;
      pending += text.slice(from, at);
      cut(delayOf(brk.delay_ms) ?? 0);
      from = at;
    }
    pending += text.slice(from);
  }
  cut(0);
  return chunks;
}

/**
 * The chunks to replay for a stored response, or undefined when its body is
 * not stored as a stream.
 *
 * @example
 * decodeStreamedBody({ status_code: 200, sse: [{ delay_ms: 3, data: { a: 1 } }] });
 * // [{ delayMs: 3, bytes: <'data: {"a":1}\n\n'> }]
 */
export function decodeStreamedBody(stored: { [key: string]: Json | undefined }): TimedChunk[] | undefined {
  // Not `stored.sse`: from the parse cache that would parse every event's data only to serialize it again.
  const events = sseEventsForReplay(stored);
  if (events) return sseChunks(events);
  if (Array.isArray(stored.chunks)) {
    return stored.chunks.map((value) => {
      const chunk = asEntry(value);
      const bytes = typeof chunk.text === 'string' ? ownedUtf8(chunk.text) : Buffer.from(typeof chunk.body_b64 === 'string' ? chunk.body_b64 : '', 'base64');
      return { delayMs: delayOf(chunk.delay_ms) ?? 0, bytes };
    });
  }
  return undefined;
}
