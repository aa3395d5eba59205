/**
 * The same request body stored under different fields by the two recorders of
 * the format matches either way (docs/python-interop.md), and bodies that
 * differ still miss.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Interaction } from '../../src/cassette/cassette-schema';
import type { Json } from '../../src/json';
import { loadConfig } from '../../src/config/config';
import { unifyBodyForm } from '../../src/engine/body-form';
import { canonicalOptions, computeMatchKey, canonicalizeRequest } from '../../src/engine/canonical-request';
import { MatchIndex, comparedRequest } from '../../src/engine/match-index';

const PROJECT = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-body-form-'));
afterAll(() => fs.rmSync(PROJECT, { recursive: true, force: true }));
const config = loadConfig(PROJECT);
const URL_ = 'http://127.0.0.1:8080/x';

type Request = { [key: string]: Json };
const request = (method: string, contentType: string, body: Request): Request => ({ method, url: URL_, headers: contentType ? { 'content-type': contentType } : {}, ...body });

function recorded(req: Request): Interaction {
  return { index: 0, kind: 'http', boundary: 'http://127.0.0.1:8080', request: req, response: { status_code: 200 }, match_key: '', latency_ms: 1, usage: null, tags: [], metadata: {} };
}

function matches(recordedRequest: Request, incoming: Request, matchers: ('ignore_volatile' | 'exact')[] = ['ignore_volatile']): boolean {
  const index = new MatchIndex([recorded(recordedRequest)], { ...config, matchers });
  return index.take({ kind: 'http', boundary: '127.0.0.1:8080', request: incoming }) === 0;
}

describe('unifyBodyForm', () => {
  test('UTF-8 base64 becomes text; JSON text becomes json; URL-encoded text becomes form', () => {
    expect(unifyBodyForm(request('PUT', 'application/octet-stream', { body_b64: Buffer.from('ping').toString('base64') }))).toEqual(request('PUT', 'application/octet-stream', { text: 'ping' }));
    expect(unifyBodyForm(request('POST', 'text/plain', { text: ' {"a": 1, "b": [2]}' }))).toEqual(request('POST', 'text/plain', { json: { a: 1, b: [2] } }));
    expect(unifyBodyForm(request('POST', 'Application/X-WWW-Form-Urlencoded; charset=UTF-8', { text: 'q=hello%20world&q=again&x=%7E' }))).toEqual(
      request('POST', 'Application/X-WWW-Form-Urlencoded; charset=UTF-8', { form: { q: ['hello world', 'again'], x: '~' } }),
    );
    // The Python recorder keeps header names as the client sent them.
    expect(unifyBodyForm({ method: 'POST', url: URL_, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, text: 'a=1' }).form).toEqual({ a: '1' });
  });

  test('what has no other form is returned as it is', () => {
    const binary = request('PUT', 'application/octet-stream', { body_b64: Buffer.from([0xff, 0xfe, 0x00]).toString('base64') });
    expect(unifyBodyForm(binary)).toBe(binary);
    const json = request('POST', 'application/json', { json: { a: 1 } });
    expect(unifyBodyForm(json)).toBe(json);
    const tool = { name: 'charge_card', args: [100] };
    expect(unifyBodyForm(tool)).toBe(tool);
    expect(unifyBodyForm(request('POST', 'text/plain', { text: 'plain: text' }))).toEqual(request('POST', 'text/plain', { text: 'plain: text' }));
    expect(unifyBodyForm(request('POST', 'text/plain', { text: '{not json' }))).toEqual(request('POST', 'text/plain', { text: '{not json' }));
    // A JSON scalar in text stays text: this library's recorder would store it as text too.
    expect(unifyBodyForm(request('POST', 'text/plain', { text: '42' }))).toEqual(request('POST', 'text/plain', { text: '42' }));
  });
});

describe('matching across the two recorders', () => {
  test.each([['ignore_volatile'], ['exact']] as const)('%s: JSON sent as text/plain, UTF-8 sent as octet-stream, a form encoded with %%20 match', (matcher) => {
    // Python: text, because the content type is not JSON. Here: json, because it looks like JSON.
    expect(matches(request('POST', 'text/plain', { text: '{"a": 1}' }), request('POST', 'text/plain', { json: { a: 1 } }), [matcher])).toBe(true);
    // Python: text, because the bytes are UTF-8. Here: body_b64, because of the content type.
    expect(matches(request('PUT', 'application/octet-stream', { text: 'ping' }), request('PUT', 'application/octet-stream', { body_b64: 'cGluZw==' }), [matcher])).toBe(true);
    // Python: form, whatever the encoding. Here: text, because URLSearchParams would encode it otherwise.
    expect(
      matches(request('POST', 'application/x-www-form-urlencoded', { form: { q: ['hello world', 'again'] } }), request('POST', 'application/x-www-form-urlencoded', { text: 'q=hello%20world&q=again' }), [matcher]),
    ).toBe(true);
  });

  test('bodies that differ still miss', () => {
    expect(matches(request('POST', 'text/plain', { text: '{"a": 1}' }), request('POST', 'text/plain', { json: { a: 2 } }))).toBe(false);
    expect(matches(request('PUT', 'application/octet-stream', { text: 'ping' }), request('PUT', 'application/octet-stream', { body_b64: 'cG9uZw==' }))).toBe(false);
    expect(matches(request('POST', 'application/x-www-form-urlencoded', { form: { q: ['a', 'b'] } }), request('POST', 'application/x-www-form-urlencoded', { text: 'q=b&q=a' }))).toBe(false);
  });

  test('volatile fields of JSON that was stored as text are ignored like those of json', () => {
    expect(matches(request('POST', 'text/plain', { text: '{"q": "hi", "request_id": "a"}' }), request('POST', 'text/plain', { json: { q: 'hi', request_id: 'b' } }))).toBe(true);
  });

  test('the match key written for a request is unchanged: it is still sha256 of the canonical request', () => {
    const ours = request('PUT', 'application/octet-stream', { body_b64: 'cGluZw==' });
    const options = canonicalOptions(config, false);
    expect(computeMatchKey(canonicalizeRequest(ours, options))).toBe(computeMatchKey({ method: 'PUT', url: URL_, body_b64: 'cGluZw==' }));
    expect(comparedRequest(ours, options)).toEqual({ method: 'PUT', url: URL_, text: 'ping' });
  });
});
