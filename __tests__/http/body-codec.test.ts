import { decodeBody, encodeRequestBody, encodeResponseBody, MULTIPART_BOUNDARY, normalizeMultipart } from '../../src/http/body-codec';

const roundTrip = (body: Buffer, type: string) => decodeBody(JSON.parse(JSON.stringify(encodeResponseBody(body, type))));

describe('response bodies replay byte for byte', () => {
  test.each([
    ['compact JSON', '{"a":1,"b":[true,null]}', { json: { a: 1, b: [true, null] } }],
    ['indented JSON with a trailing newline', '{\n  "a": 1\n}\n', { json: { a: 1 }, json_format: { indent: 2, trailing_newline: true } }],
    ['tab-indented JSON', '{\n\t"a": 1\n}', { json: { a: 1 }, json_format: { indent: '\t' } }],
    ['JSON in no layout we know', '{"a": 1.0, "b":2}', { json: { a: 1, b: 2 }, raw_b64: Buffer.from('{"a": 1.0, "b":2}').toString('base64') }],
    ['text', 'plain words', { text: 'plain words' }],
  ] as [string, string, Record<string, unknown>][])('%s', (_name, text, stored) => {
    const body = Buffer.from(text);
    const type = 'text' in stored ? 'text/plain' : 'application/json';
    expect(encodeResponseBody(body, type)).toEqual(stored);
    expect(roundTrip(body, type).equals(body)).toBe(true);
  });

  test('binary as base64, even when it happens to be valid UTF-8 under a binary type', () => {
    const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff]);
    expect(encodeResponseBody(bytes, 'image/png')).toEqual({ body_b64: bytes.toString('base64') });
    expect(encodeResponseBody(Buffer.from('abc'), 'application/octet-stream')).toEqual({ body_b64: 'YWJj' });
    expect(roundTrip(bytes, 'image/png').equals(bytes)).toBe(true);
  });
});

describe('request bodies', () => {
  test('URL-encoded forms are a mapping (repeated keys as a list), as the Python AgentTape stores them', () => {
    const body = Buffer.from('scope=read&scope=write&q=a+b');
    expect(encodeRequestBody(body, 'application/x-www-form-urlencoded')).toEqual({ form: { scope: ['read', 'write'], q: 'a b' } });
    expect(decodeBody({ form: { scope: ['read', 'write'], q: 'a b' } }).toString()).toBe('scope=read&scope=write&q=a+b');
  });

  test('JSON is parsed without layout details: requests are compared, not replayed', () => {
    expect(encodeRequestBody(Buffer.from('{\n  "q": "hi"\n}'), 'application/json')).toEqual({ json: { q: 'hi' } });
  });

  test('two uploads of the same file with random boundaries store the same body', () => {
    const upload = (boundary: string) => {
      const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="f"\r\n\r\n`), Buffer.from([0xff, 0x00]), Buffer.from(`\r\n--${boundary}--\r\n`)]);
      return encodeRequestBody(body, `multipart/form-data; boundary=${boundary}`);
    };
    const first = upload('----formdata-undici-0123');
    expect(first).toEqual(upload('----formdata-undici-9876'));
    expect(Buffer.from(first.body_b64 as string, 'base64').toString('latin1')).toContain(`--${MULTIPART_BOUNDARY}--`);
  });

  test('a text multipart body stays readable', () => {
    const body = Buffer.from('--xyz\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--xyz--\r\n');
    expect(encodeRequestBody(body, 'multipart/form-data; boundary="xyz"')).toEqual({ text: body.toString().replace(/xyz/g, MULTIPART_BOUNDARY) });
    expect(normalizeMultipart(body, 'multipart/form-data; boundary="xyz"').contentType).toBe(`multipart/form-data; boundary=${MULTIPART_BOUNDARY}`);
  });
});

test('decodeBody prefers the verbatim copy of a Python-written cassette', () => {
  expect(decodeBody({ json: { a: 1 }, raw_b64: Buffer.from('{"a": 1}').toString('base64') }).toString()).toBe('{"a": 1}');
  expect(decodeBody({})).toEqual(Buffer.alloc(0));
});
