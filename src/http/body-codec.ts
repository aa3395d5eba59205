/**
 * Bodies of every kind, decoded for the cassette and encoded back to bytes on
 * replay: JSON parsed (`json`), URL-encoded forms as a mapping (`form`),
 * other UTF-8 text as `text`, anything else as `body_b64`. A multipart body's
 * random boundary is replaced by a fixed one so repeated uploads match.
 *
 * Replay must hand the client the bytes it received while recording, so a
 * response's JSON keeps its layout: compact, indented (`json_format`), or, when
 * no layout reproduces it, a verbatim `raw_b64` copy beside the readable `json`
 * (the field the Python AgentTape uses for the same purpose).
 */
import { parseForm } from '../engine/body-form';
import { isJsonObject, type Json } from '../json';

/** A body as stored in a request or response. */
export type StoredBody = { [key: string]: Json };

/**
 * The boundary every multipart body is stored with (the Python AgentTape's, so cassettes match across both).
 *
 * @example
 * `multipart/form-data; boundary=${MULTIPART_BOUNDARY}` // the stored content type of every upload
 */
export const MULTIPART_BOUNDARY = 'AGENTTAPE_BOUNDARY';

const BOUNDARY_PARAM = /boundary=("?)([^";,]+)\1/i;
const BINARY_TYPES = /^(image|audio|video|font)\/|application\/(octet-stream|pdf|zip|gzip|x-protobuf|protobuf|grpc)/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The text of a body, or undefined when it is not valid UTF-8.
 *
 * @example
 * decodeUtf8(Buffer.from([0xff])); // undefined
 */
export function decodeUtf8(body: Uint8Array): string | undefined {
  try {
    return utf8.decode(body);
  } catch {
    return undefined;
  }
}

/**
 * Replaces a multipart body's random boundary, in the content type and in the
 * body, by {@link MULTIPART_BOUNDARY}.
 *
 * @example
 * normalizeMultipart(body, 'multipart/form-data; boundary=----x123').contentType; // 'multipart/form-data; boundary=AGENTTAPE_BOUNDARY'
 */
export function normalizeMultipart(body: Buffer, contentType: string): { body: Buffer; contentType: string } {
  const boundary = BOUNDARY_PARAM.exec(contentType)?.[2];
  if (!/^multipart\//i.test(contentType) || !boundary) return { body, contentType };
  const from = Buffer.from(boundary);
  const to = Buffer.from(MULTIPART_BOUNDARY);
  const parts: Buffer[] = [];
  let position = 0;
  for (let at = body.indexOf(from); at !== -1; at = body.indexOf(from, position)) {
    parts.push(body.subarray(position, at), to);
    position = at + from.length;
  }
  parts.push(body.subarray(position));
  return { body: Buffer.concat(parts), contentType: contentType.replace(BOUNDARY_PARAM, `boundary=${MULTIPART_BOUNDARY}`) };
}

function parseJson(text: string, contentType: string): Json | undefined {
  if (!/json/i.test(contentType) && !/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

function parseExactForm(text: string): StoredBody | undefined {
  const form = parseForm(text);
  return formText(form) === text ? form : undefined;
}

function formText(form: StoredBody): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  return params.toString();
}

/**
 * A request body as stored: the form requests are compared in, so no layout
 * details are kept.
 *
 * @example
 * encodeRequestBody(Buffer.from('a=1&b=2'), 'application/x-www-form-urlencoded'); // { form: { a: '1', b: '2' } }
 */
export function encodeRequestBody(body: Buffer, contentType: string): StoredBody {
  if (body.length === 0) return {};
  const normalized = normalizeMultipart(body, contentType).body;
  const text = BINARY_TYPES.test(contentType) ? undefined : decodeUtf8(normalized);
  if (text === undefined) return { body_b64: normalized.toString('base64') };
  if (/^application\/x-www-form-urlencoded/i.test(contentType)) {
    const form = parseExactForm(text);
    if (form) return { form };
  }
  const json = parseJson(text, contentType);
  return json === undefined ? { text } : { json };
}

/** Layouts tried, in order, to reproduce a JSON text from its parsed value. */
const JSON_LAYOUTS: { indent: number | string; trailing_newline: boolean }[] = [
  { indent: 0, trailing_newline: false },
  { indent: 0, trailing_newline: true },
  { indent: 2, trailing_newline: false },
  { indent: 2, trailing_newline: true },
  { indent: 4, trailing_newline: false },
  { indent: 4, trailing_newline: true },
  { indent: '\t', trailing_newline: false },
  { indent: '\t', trailing_newline: true },
];

function layoutJson(value: Json, layout: { indent?: Json; trailing_newline?: Json }): string {
  const indent = typeof layout.indent === 'number' || typeof layout.indent === 'string' ? layout.indent : 0;
  return JSON.stringify(value, null, indent) + (layout.trailing_newline === true ? '\n' : '');
}

/**
 * A response body as stored, with what replay needs to give back the same bytes.
 *
 * @example
 * encodeResponseBody(Buffer.from('{\n  "a": 1\n}'), 'application/json'); // { json: { a: 1 }, json_format: { indent: 2 } }
 */
export function encodeResponseBody(body: Buffer, contentType: string): StoredBody {
  if (body.length === 0) return {};
  const text = BINARY_TYPES.test(contentType) ? undefined : decodeUtf8(body);
  if (text === undefined) return { body_b64: body.toString('base64') };
  const json = parseJson(text, contentType);
  if (json === undefined) return { text };
  const layout = JSON_LAYOUTS.find((candidate) => layoutJson(json, candidate) === text);
  if (!layout) return { json, raw_b64: body.toString('base64') };
  if (layout.indent === 0 && !layout.trailing_newline) return { json };
  const format: StoredBody = {};
  if (layout.indent !== 0) format.indent = layout.indent;
  if (layout.trailing_newline) format.trailing_newline = true;
  return { json, json_format: format };
}

/**
 * The bytes of a stored body (request or response, written here or by the
 * Python AgentTape).
 *
 * @example
 * decodeBody({ json: { a: 1 }, json_format: { indent: 2 } }).toString(); // '{\n  "a": 1\n}'
 */
export function decodeBody(stored: { [key: string]: Json | undefined }): Buffer {
  if (typeof stored.raw_b64 === 'string') return Buffer.from(stored.raw_b64, 'base64');
  if (stored.json !== undefined) {
    const format = stored.json_format;
    const layout = isJsonObject(format) ? format : {};
    return Buffer.from(layoutJson(stored.json, layout));
  }
  if (isJsonObject(stored.form)) return Buffer.from(formText(stored.form));
  if (typeof stored.text === 'string') return Buffer.from(stored.text);
  if (typeof stored.body_b64 === 'string') return Buffer.from(stored.body_b64, 'base64');
  return Buffer.alloc(0);
}
