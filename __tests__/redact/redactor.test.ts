import type { CassetteDocument } from '../../src/cassette/cassette-schema';
import type { Json } from '../../src/json';
import { applyOptions, loadConfig, REDACTED, type RedactConfig } from '../../src/config/config';
import { canonicalizeRequest } from '../../src/engine/canonical-request';
import { MatchIndex } from '../../src/engine/match-index';
import { ConfigError } from '../../src/errors';
import { toStoredRequest, toStoredResponse } from '../../src/http/http-exchange';
import { redactSecrets, Redactor } from '../../src/redact/redactor';
import { SecretDetector } from '../../src/redact/secret-detector';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const { SECRETS, CORES } = require('../fixtures/secrets/corpus.js') as { SECRETS: Record<string, string>; CORES: Record<string, string> };
const { OPENAI_LOOKALIKE_WORD } = require('../fixtures/secrets/fake-keys.js') as Record<string, string>;

const DEFAULTS: RedactConfig = { enabled: true, names: [], patterns: [], placeholder: REDACTED, emails: true };
const redactor = new Redactor(DEFAULTS);
const CONFIGURED = new Redactor({ ...DEFAULTS, names: ['x-tenant-key'], patterns: ['ACME-[0-9]{8}'] });

describe('secret shapes anywhere in a string', () => {
  test.each(Object.keys(SECRETS).filter((name) => !['password', 'clientSecret', 'accessToken', 'refreshToken', 'sessionCookie', 'customHeaderKey', 'queryApiKey', 'queryToken'].includes(name)))(
    '%s is scrubbed from prose',
    (name) => {
      const text = `Please use ${SECRETS[name]} for the nightly job.`;
      const out = CONFIGURED.redactString(text);
      expect(out).not.toContain(CORES[name]);
      expect(out).toContain(REDACTED);
      expect(out.startsWith('Please use ')).toBe(true);
    },
  );

  test('name-based secrets are scrubbed in name=value text and query strings', () => {
    const text = `password=${SECRETS.password}&client_secret=${SECRETS.clientSecret}&grant_type=password`;
    expect(redactor.redactString(text)).toBe(`password=${REDACTED}&client_secret=${REDACTED}&grant_type=password`);
    const url = `https://api.example.com/v1/items?token=${SECRETS.queryToken}&api_key=${SECRETS.queryApiKey}&page=2`;
    expect(redactor.redactString(url)).toBe(`https://api.example.com/v1/items?token=${REDACTED}&api_key=${REDACTED}&page=2`);
  });

  test('header lines in text lose their value; the scheme of a Bearer token stays', () => {
    expect(redactor.redactString(`X-Api-Key: ${SECRETS.customHeaderKey}`)).toBe(`X-Api-Key: ${REDACTED}`);
    expect(redactor.redactString(`send ${SECRETS.bearerOpaque} now`)).toBe(`send Bearer ${REDACTED} now`);
  });

  test('credentials in a URL keep the scheme and host', () => {
    expect(redactor.redactString(SECRETS.urlCredentials)).toBe(`postgres://${REDACTED}db.internal.example:5432/agents`);
  });

  test('e-mail addresses, also percent-encoded, unless e-mails are off', () => {
    const text = `mail ${SECRETS.emailUser} or /users/${encodeURIComponent(SECRETS.emailUser)}/`;
    expect(redactor.redactString(text)).toBe(`mail ${REDACTED} or /users/${REDACTED}/`);
    expect(new Redactor({ ...DEFAULTS, emails: false }).redactString(text)).toBe(text);
  });

  test('redaction is idempotent, so a redacted recording and a redacted request are equal', () => {
    for (const value of Object.values(SECRETS)) {
      const once = CONFIGURED.redactString(`x ${value} y`);
      expect(CONFIGURED.redactString(once)).toBe(once);
    }
  });
});

describe('false positives that would corrupt a replay', () => {
  test.each([
    'A basic understanding of Bearer bonds helps.',
    `Try the ${OPENAI_LOOKALIKE_WORD} first.`,
    'Reset your password: click the link we sent.',
    'The secret: patience. Your token: 42.',
    'Visit https://example.com:8443/docs?page=2&sort=asc at 12:30.',
    'Basic Authentication is described in RFC 7617.',
  ])('%s stays as it is', (text) => {
    expect(redactor.redactString(text)).toBe(text);
  });

  test('an OpenAI logprobs token is model text, not a credential', () => {
    const logprobs: Json = {
      content: [{ token: 'Hello', logprob: -0.01, bytes: [72, 101, 108, 108, 111], top_logprobs: [{ token: 'Hi', logprob: -4.2, bytes: [72, 105] }] }],
    };
    expect(redactor.redactValue(logprobs)).toEqual(logprobs);
  });

  test('usage counters and similar keys are not secret names', () => {
    const usage: Json = { max_tokens: 100, usage: { input_tokens: 11, output_tokens: 8, total_tokens: 19 }, tokens: ['a'] };
    expect(redactor.redactValue(usage)).toEqual(usage);
  });
});

describe('secret names', () => {
  test('match keys in any case and with - or _ or none', () => {
    const value = { apiKey: 'a', API_KEY: 'b', 'X-Api-Key': 'c', Authorization: 'd', nested: [{ accessToken: 'e', token: 'f', secret: { value: 'g' } }], empty: { password: '' } };
    expect(redactor.redactValue(value)).toEqual({
      apiKey: REDACTED,
      API_KEY: REDACTED,
      'X-Api-Key': REDACTED,
      Authorization: REDACTED,
      nested: [{ accessToken: REDACTED, token: REDACTED, secret: REDACTED }],
      empty: { password: '' },
    });
  });

  test('extra names and a custom placeholder come from configuration', () => {
    const custom = new Redactor({ ...DEFAULTS, names: ['X-Tenant-Key'], placeholder: '[hidden]' });
    expect(custom.redactValue({ 'x-tenant-key': 'k', tenant: 'acme', password: 'p' })).toEqual({ 'x-tenant-key': '[hidden]', tenant: 'acme', password: '[hidden]' });
    expect(custom.redactString(`password=hunter2&x=1`)).toBe('password=[hidden]&x=1');
    expect(custom.redactString(custom.redactString('password=hunter2&x=1'))).toBe('password=[hidden]&x=1');
  });

  test('redaction off leaves everything', () => {
    const off = new Redactor({ ...DEFAULTS, enabled: false });
    expect(off.redactValue({ password: SECRETS.password, note: SECRETS.openaiProject })).toEqual({ password: SECRETS.password, note: SECRETS.openaiProject });
  });
});

describe('JSON inside strings and event streams', () => {
  test('tool-call arguments held as a JSON string are redacted structurally', () => {
    const args = JSON.stringify({ amount: 42, api_key: SECRETS.stripeLive, notify: SECRETS.emailSupport });
    expect(JSON.parse(redactor.redactString(args))).toEqual({ amount: 42, api_key: REDACTED, notify: REDACTED });
  });

  test('a JSON string with nothing secret keeps its exact bytes', () => {
    const args = '{ "city": "London",\n  "units": "metric" }';
    expect(redactor.redactString(args)).toBe(args);
  });

  test('binary bodies: a key inside base64 bytes is scrubbed and every other byte kept', () => {
    const bytes = Buffer.concat([Buffer.from([0x00, 0xff, 0x89]), Buffer.from(` key=${SECRETS.openaiProject};`), Buffer.from([0xc3, 0x28, 0x00])]);
    const stored = redactor.redactValue({ body_b64: bytes.toString('base64'), chunks: [{ delay_ms: 0, body_b64: bytes.toString('base64') }] }) as { body_b64: string; chunks: Array<{ body_b64: string }> };
    for (const b64 of [stored.body_b64, stored.chunks[0].body_b64]) {
      const out = Buffer.from(b64, 'base64');
      expect(out.toString('latin1')).not.toContain(CORES.openaiProject);
      expect(out.subarray(0, 3)).toEqual(Buffer.from([0x00, 0xff, 0x89]));
      expect(out.subarray(-3)).toEqual(Buffer.from([0xc3, 0x28, 0x00]));
      expect(out.toString('latin1')).toContain(REDACTED);
    }
    // Idempotent, and bytes with nothing secret keep their exact encoding.
    expect(redactor.redactValue(stored as unknown as Json)).toEqual(stored);
    const clean = Buffer.from([0, 1, 2, 250, 251]).toString('base64');
    expect(redactor.redactValue({ body_b64: clean })).toEqual({ body_b64: clean });
  });

  test('data lines of a server-sent event stream', () => {
    const stream = `event: delta\ndata: {"api_key":"abc","text":"ok"}\n\ndata: [DONE]\n\n`;
    expect(redactor.redactString(stream)).toBe(`event: delta\ndata: {"api_key":"${REDACTED}","text":"ok"}\n\ndata: [DONE]\n\n`);
  });
});

describe('entry points for adapters', () => {
  test('redactError scrubs a recorded error message', () => {
    const error = { type: 'TypeError', message: `fetch failed for ${SECRETS.urlCredentials} with ${SECRETS.openaiProject}`, code: 'ECONNREFUSED' };
    const out = redactor.redactError(error);
    expect(out.message).not.toContain(CORES.urlCredentials);
    expect(out.message).not.toContain(CORES.openaiProject);
    expect(out).toMatchObject({ type: 'TypeError', code: 'ECONNREFUSED' });
  });

  test('redactSecrets works without a configuration object', () => {
    expect(redactSecrets({ args: { apiKey: 'k', city: 'Paris' } })).toEqual({ args: { apiKey: REDACTED, city: 'Paris' } });
    expect(redactSecrets('to jane@example.com', { emails: false })).toBe('to jane@example.com');
  });

  test('redactDocument covers meta and every interaction field an adapter may fill', () => {
    const doc: CassetteDocument = {
      version: '1',
      created_at: '2026-01-01T00:00:00.000Z',
      run_id: 'r',
      meta: { freeze: { env: { OPENAI_API_KEY: SECRETS.openaiProject, MODEL_TIER: 'large' } }, tags: [] },
      interactions: [
        {
          index: 0,
          kind: 'tool',
          boundary: 'charge_card',
          request: { name: 'charge_card', args: [{ token: 'tok_visa', card: SECRETS.stripeLive }] },
          error: { type: 'Error', message: `declined for ${SECRETS.emailUser}` },
          match_key: 'sha256:x',
          latency_ms: 1,
          usage: null,
          tags: [],
          metadata: { note: SECRETS.githubClassic },
        },
      ],
    };
    const text = JSON.stringify(redactor.redactDocument(doc));
    for (const name of ['openaiProject', 'stripeLive', 'emailUser', 'githubClassic']) expect(text).not.toContain(CORES[name]);
    expect(text).toContain('"MODEL_TIER":"large"');
    expect(text).toContain('"match_key":"sha256:x"');
  });

  test('the detector reports each shape by rule', () => {
    const found = new SecretDetector(DEFAULTS).findSecrets(`a ${SECRETS.openaiProject} b ${SECRETS.awsAccessKey} c ${REDACTED}`);
    expect(found.map((f) => f.rule)).toEqual(['OpenAI key', 'AWS access key']);
  });
});

describe('HTTP exchanges', () => {
  const wire = (key: string) => ({
    method: 'post',
    url: `https://api.example.com/v1/run?api_key=${key}`,
    headers: { authorization: `Bearer ${key}`, 'x-api-key': key, 'content-type': 'application/json', 'x-note': `k=${key}` },
    body: Buffer.from(JSON.stringify({ input: 'hi', credentials: { password: key } })),
  });

  test('secret request headers are not stored; others are scrubbed', () => {
    const stored = toStoredRequest(wire(SECRETS.openaiProject), redactor);
    expect(stored.headers).toEqual({ 'content-type': 'application/json', 'x-note': `k=${REDACTED}` });
    expect(JSON.stringify(stored)).not.toContain(CORES.openaiProject);
  });

  test('secret response headers keep their name with the placeholder', () => {
    const stored = toStoredResponse({ status: 200, headers: { 'set-cookie': ['a=b'], 'x-ok': 'yes' }, body: Buffer.from('{}') }, redactor, REDACTED);
    expect(stored.headers).toEqual({ 'set-cookie': REDACTED, 'x-ok': 'yes' });
  });

  test('a request with a different key matches the redacted recording', () => {
    const config = loadConfig(fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-redact-')));
    const recorded = toStoredRequest(wire(SECRETS.openaiProject), redactor);
    const index = new MatchIndex([{ index: 0, kind: 'http', boundary: 'api.example.com', request: recorded, match_key: '', latency_ms: 0, usage: null, tags: [], metadata: {} }], config);
    const incoming = toStoredRequest(wire(SECRETS.openaiLegacy), redactor);
    expect(canonicalizeRequest(incoming, { volatile: new Set(), matchHeaders: false })).toEqual(canonicalizeRequest(recorded, { volatile: new Set(), matchHeaders: false }));
    expect(index.take({ kind: 'http', boundary: 'api.example.com', request: incoming })).toBe(0);
  });
});

describe('configuration of redaction', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-redact-config-'));

  test('an invalid pattern is a ConfigError naming the key and the pattern', () => {
    expect(() => applyOptions(loadConfig(root), { redact: { patterns: ['sk-[a-z'] } }, 'agenttape.config.json', root)).toThrow(ConfigError);
    expect(() => applyOptions(loadConfig(root), { redact: { patterns: ['sk-[a-z'] } }, 'agenttape.config.json', root)).toThrow(
      /Invalid pattern "sk-\[a-z" in "redact.patterns" in agenttape.config.json: .*Unterminated character class/,
    );
  });

  test('unknown redact keys and bad values name the key', () => {
    expect(() => applyOptions(loadConfig(root), { redact: { email: false } }, 'x', root)).toThrow('Unknown key "redact.email" in x. Valid keys: enabled, names, patterns, placeholder, emails.');
    expect(() => applyOptions(loadConfig(root), { redact: { placeholder: '' } }, 'x', root)).toThrow('Invalid value for "redact.placeholder" in x: expected a non-empty string.');
    expect(() => applyOptions(loadConfig(root), { redact: 'yes' }, 'x', root)).toThrow(/Invalid value for "redact" in x/);
  });

  test('redact: false turns redaction off; an object keeps the defaults it does not set', () => {
    expect(applyOptions(loadConfig(root), { redact: false }, 'x', root).redact.enabled).toBe(false);
    expect(applyOptions(loadConfig(root), { redact: { emails: false } }, 'x', root).redact).toEqual({ ...DEFAULTS, emails: false });
  });
});
