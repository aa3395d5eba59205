/**
 * One form for a request body before it is compared. The two recorders of the
 * format store the same bytes under different fields (docs/python-interop.md):
 *
 * - JSON sent without a JSON content type: `json` here (it looks like JSON),
 *   `text` from the Python AgentTape (its content type is not JSON);
 * - UTF-8 bytes sent as `application/octet-stream` (or another binary type):
 *   `body_b64` here, `text` there;
 * - a URL-encoded form encoded otherwise than `URLSearchParams` would
 *   (`%20` for a space, `%7E`): `text` here, `form` there.
 *
 * Comparing in one form lets either recording serve either request. Only
 * matching uses it; what is written, `match_key` included, is unchanged.
 */
import { isJsonObject, type Json } from '../json';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(base64: string): string | undefined {
  try {
    return utf8.decode(Buffer.from(base64, 'base64'));
  } catch {
    return undefined;
  }
}

function contentTypeOf(headers: Json | undefined): string {
  if (!isJsonObject(headers)) return '';
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'content-type') return String(Array.isArray(value) ? value[0] : value);
  }
  return '';
}

/**
 * A form body as both recorders store it: one key per name, repeated names as a list, in order.
 *
 * @example
 * parseForm('a=1&a=2&b=3'); // { a: ['1', '2'], b: '3' }
 */
export function parseForm(text: string): { [key: string]: Json } {
  const form: { [key: string]: Json } = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const previous = form[key];
    form[key] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return form;
}

/** The parsed JSON object or array a text holds, as this library's recorder would store it. */
function parseJson(text: string): Json | undefined {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

/**
 * The request with its body in the one form requests are compared in: `json`
 * for a JSON object or array, `form` for a URL-encoded body (by its
 * `content-type`), `text` for other UTF-8, `body_b64` for the rest. A request
 * whose body is already `json` or `form`, or that is not HTTP, is returned as
 * it is.
 *
 * @example
 * unifyBodyForm({ method: 'PUT', url: 'http://h/x', headers: { 'content-type': 'application/octet-stream' }, body_b64: 'cGluZw==' });
 * // { method: 'PUT', url: 'http://h/x', headers: { … }, text: 'ping' }
 * unifyBodyForm({ method: 'POST', url: 'http://h/x', text: '{"a": 1}' }); // { method: 'POST', url: 'http://h/x', json: { a: 1 } }
 */
export function unifyBodyForm(request: { [key: string]: Json }): { [key: string]: Json } {
  if (typeof request.method !== 'string' || typeof request.url !== 'string') return request;
  if (request.json !== undefined || request.form !== undefined) return request;
  const text = typeof request.text === 'string' ? request.text : typeof request.body_b64 === 'string' ? decodeUtf8(request.body_b64) : undefined;
  if (text === undefined) return request;
  const { text: _text, body_b64: _base64, ...rest } = request;
  if (/^application\/x-www-form-urlencoded/i.test(contentTypeOf(request.headers).trim())) return { ...rest, form: parseForm(text) };
  const json = parseJson(text);
  return json === undefined ? { ...rest, text } : { ...rest, json };
}
