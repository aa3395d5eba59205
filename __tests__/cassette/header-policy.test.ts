import { canonicalOptions, isVolatileName } from '../../src/engine/canonical-request';
import { CREDENTIAL_HEADERS, isSdkHeader, isUnrecordedRequestHeader, VOLATILE_REQUEST_HEADERS } from '../../src/cassette/header-policy';
import { toStoredRequest } from '../../src/http/http-exchange';
import { Redactor } from '../../src/redact/redactor';
import { SECRET_NAMES } from '../../src/redact/secret-detector';

const redactor = new Redactor({ enabled: true, names: [], patterns: [], placeholder: '***REDACTED***', emails: true });
const defaults = canonicalOptions({ ignoreVolatileFields: [], matchHeaders: true }, false);

describe('one header table for recording, matching and redaction (docs/format.md, "Matching")', () => {
  test('every volatile request header is left out when recording and ignored when matching; tracestate like traceparent', () => {
    expect(VOLATILE_REQUEST_HEADERS).toEqual(expect.arrayContaining(['traceparent', 'tracestate']));
    for (const name of VOLATILE_REQUEST_HEADERS) {
      expect(isUnrecordedRequestHeader(name)).toBe(true);
      expect(isVolatileName(name, defaults)).toBe(true);
    }
  });

  test('a recorded request keeps neither transport, volatile, SDK nor credential headers, and keeps the rest', () => {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-tenant': 'acme', host: 'api.example.com', 'accept-encoding': 'gzip', 'x-stainless-os': 'Linux' };
    for (const name of VOLATILE_REQUEST_HEADERS) headers[name] = 'v';
    for (const name of CREDENTIAL_HEADERS) headers[name] = 'secret value';
    const stored = toStoredRequest({ method: 'post', url: 'https://api.example.com/v1', headers, body: Buffer.from('{}') }, redactor);
    expect(stored.headers).toEqual({ 'content-type': 'application/json', 'x-tenant': 'acme' });
  });

  test('every credential header is a secret name of redaction', () => {
    for (const name of CREDENTIAL_HEADERS) {
      expect(SECRET_NAMES).toContain(name);
      expect(redactor.isSecretName(name.toUpperCase())).toBe(true);
    }
  });

  test('SDK headers are recognised case-insensitively', () => {
    expect(isSdkHeader('X-Stainless-Retry-Count')).toBe(true);
    expect(isSdkHeader('x-tenant')).toBe(false);
  });
});
