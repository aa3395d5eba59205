/**
 * Server-sent events (`text/event-stream`) as a cassette stores them: one
 * readable entry per event (`comment`, `id`, `event`, `data`, `retry`), with
 * `data` parsed when it is a compact JSON object or array. Every entry maps
 * back to the exact text it was parsed from: an event whose text the
 * serializer would not reproduce (CRLF line endings, `data:` without a space,
 * unusual field order, an unterminated tail) is kept verbatim as `raw`.
 */
import { eventDataText } from '../cassette/cached-events';
import { isJsonObject, type Json } from '../json';

/** One stored event: its fields, or its verbatim text. */
export interface SseEntry {
  comment?: string;
  id?: string;
  event?: string;
  data?: Json;
  retry?: number;
  /** The exact text of an event the fields could not reproduce. */
  raw?: string;
}

/** One event as found in a stream: its stored form and where its text lies. */
export interface ParsedSseEvent {
  entry: SseEntry;
  /** Offset of the event's first character in the stream text. */
  start: number;
  /** Offset just past the blank line that ends it. */
  end: number;
}

/** An event ends at the first blank line: two line ends in a row. */
const EVENT_END = /(?:\r\n|\r(?!\n)|\n)(?:\r\n|\r(?!\n)|\n)/g;

function parseData(data: string): Json {
  if (!/^[[{]/.test(data)) return data;
  try {
    const parsed = JSON.parse(data) as Json;
    // Only compact JSON is stored parsed: it serializes back to the same text.
    return JSON.stringify(parsed) === data ? parsed : data;
  } catch {
    return data;
  }
}

function parseFields(text: string): SseEntry {
  const entry: SseEntry = {};
  const comments: string[] = [];
  const data: string[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === '') comments.push(value);
    else if (name === 'data') data.push(value);
    else if (name === 'event') entry.event = value;
    else if (name === 'id') entry.id = value;
    else if (name === 'retry' && /^\d+$/.test(value)) entry.retry = Number(value);
    else return { raw: text };
  }
  if (comments.length > 0) entry.comment = comments.join('\n');
  if (data.length > 0) entry.data = parseData(data.join('\n'));
  return entry;
}

/**
 * The text of one stored event, ending with its blank line.
 *
 * @example
 * serializeSseEntry({ event: 'ping', data: { ok: true } }); // 'event: ping\ndata: {"ok":true}\n\n'
 */
export function serializeSseEntry(entry: SseEntry): string {
  if (typeof entry.raw === 'string') return entry.raw;
  // Built as one string, without line arrays: replay serializes every event of every stream it sends.
  let out = '';
  if (entry.comment !== undefined) out += prefixLines(': ', entry.comment);
  if (entry.id !== undefined) out += `id: ${entry.id}\n`;
  if (entry.event !== undefined) out += `event: ${entry.event}\n`;
  const dataText = eventDataText(entry);
  if (dataText !== undefined) {
    // JSON data still as the parse cache keeps it: the very text JSON.stringify would give.
    out += `data: ${dataText}\n`;
  } else if (entry.data !== undefined) {
    // JSON.stringify escapes line ends, so parsed data is always one line.
    out += typeof entry.data === 'string' ? prefixLines('data: ', entry.data) : `data: ${JSON.stringify(entry.data)}\n`;
  }
  if (entry.retry !== undefined) out += `retry: ${entry.retry}\n`;
  // An event with no field is a lone blank line pair, as parsed.
  return out === '' ? '\n\n' : `${out}\n`;
}

function prefixLines(prefix: string, text: string): string {
  return text.includes('\n') ? `${prefix}${text.split('\n').join(`\n${prefix}`)}\n` : `${prefix}${text}\n`;
}

/**
 * Splits stream text into events. Each event's stored form serializes back to
 * exactly `text.slice(start, end)`; text after the last blank line becomes a
 * final `raw` entry.
 *
 * @example
 * parseSse('data: {"a":1}\n\ndata: [DONE]\n\n').map((e) => e.entry); // [{ data: { a: 1 } }, { data: '[DONE]' }]
 */
export function parseSse(text: string): ParsedSseEvent[] {
  const events: ParsedSseEvent[] = [];
  let start = 0;
  EVENT_END.lastIndex = 0;
  for (let match = EVENT_END.exec(text); match; match = EVENT_END.exec(text)) {
    const end = match.index + match[0].length;
    events.push({ entry: faithfulEntry(text.slice(start, end)), start, end });
    start = end;
  }
  if (start < text.length) events.push({ entry: { raw: text.slice(start) }, start, end: text.length });
  return events;
}

function faithfulEntry(text: string): SseEntry {
  const entry = parseFields(text);
  return serializeSseEntry(entry) === text ? entry : { raw: text };
}

/** The data of an event kept verbatim, as a client reads it: its `data` lines joined. */
function rawDataText(raw: string): string | undefined {
  const lines: string[] = [];
  for (const line of raw.split(/\r\n|\r|\n/)) {
    if (line === 'data' || line.startsWith('data:')) lines.push(line.slice(5).replace(/^ /, ''));
  }
  return lines.length > 0 ? lines.join('\n') : undefined;
}

function jsonObjectIn(text: string): { [key: string]: Json } | undefined {
  if (!/^\s*\{/.test(text)) return undefined;
  try {
    return JSON.parse(text) as { [key: string]: Json };
  } catch {
    return undefined;
  }
}

/**
 * All `data` values of a stored stream that are JSON objects, in order —
 * including those stored as text: an event kept `raw` (Gemini ends its lines
 * with CRLF) or JSON that is not compact (`{"a": 1}`) is only stored as text
 * so that replay gives back its exact bytes.
 *
 * @example
 * sseDataObjects([{ data: { a: 1 } }, { raw: 'data: {"b": 2}\r\n\r\n' }, { data: '[DONE]' }]); // [{ a: 1 }, { b: 2 }]
 */
export function sseDataObjects(entries: readonly SseEntry[]): { [key: string]: Json }[] {
  const out: { [key: string]: Json }[] = [];
  for (const entry of entries) {
    const data = typeof entry.raw === 'string' ? rawDataText(entry.raw) : entry.data;
    const value = typeof data === 'string' ? jsonObjectIn(data) : data;
    if (isJsonObject(value)) out.push(value);
  }
  return out;
}
