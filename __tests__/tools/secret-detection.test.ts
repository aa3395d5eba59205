/**
 * `agenttape validate` flags a value left under a secret name exactly when
 * redaction would have replaced it (docs/redaction.md, "What is redacted"):
 * both answer "is this name secret?" the same way.
 */
import type { CassetteDocument } from '../../src/cassette/cassette-schema';
import type { Json } from '../../src/json';
import type { RedactConfig } from '../../src/config/config';
import { Redactor } from '../../src/redact/redactor';
import { scanCassette } from '../../src/tools/scan-cassette';

const VALUE = 'plain-value-1';

function redactConfig(names: string[] = []): RedactConfig {
  return { enabled: true, names, patterns: [], placeholder: '***REDACTED***', emails: true };
}

function cassetteWith(json: { [key: string]: Json }): CassetteDocument {
  return {
    version: '1',
    created_at: '2026-01-01T00:00:00.000Z',
    run_id: 'run',
    meta: {},
    interactions: [
      {
        index: 0,
        kind: 'http',
        boundary: 'api.example.com',
        request: { method: 'POST', url: 'https://api.example.com/v1', headers: {}, json },
        response: { status_code: 200, headers: {}, json: {} },
        match_key: 'sha256:0',
        latency_ms: 1,
        usage: null,
        tags: [],
        metadata: {},
      },
    ],
  };
}

/** Whether redaction replaces the value under `key`, and whether validate reports an error there. */
function verdicts(json: { [key: string]: Json }, key: string, names: string[] = []): { redacted: boolean; flagged: boolean } {
  const config = redactConfig(names);
  const redacted = JSON.stringify(new Redactor(config).redactValue(json)) !== JSON.stringify(json);
  const flagged = scanCassette(cassetteWith(json), config).some((f) => f.severity === 'error' && f.path.endsWith(`.json.${key}`));
  return { redacted, flagged };
}

describe('validate flags a value under a secret name exactly when redaction replaces it', () => {
  test('clientSecret is redacted, so a cassette holding one fails validation', () => {
    expect(verdicts({ clientSecret: VALUE }, 'clientSecret')).toEqual({ redacted: true, flagged: true });
  });

  test.each(['client_secret', 'client-secret', 'CLIENT_SECRET', 'clientSecret', 'apiKey', 'api_key', 'X-Api-Key', 'accessToken', 'refreshToken', 'privateKey', 'password', 'model', 'secretive', 'tokens'])(
    '%s: the same verdict from both',
    (key) => {
      const { redacted, flagged } = verdicts({ [key]: VALUE }, key);
      expect(flagged).toBe(redacted);
    },
  );

  test('a name added with redact.names, written in another case style', () => {
    expect(verdicts({ tenantId: VALUE }, 'tenantId', ['tenant_id'])).toEqual({ redacted: true, flagged: true });
    expect(verdicts({ tenant_id: VALUE }, 'tenant_id', ['tenantId'])).toEqual({ redacted: true, flagged: true });
  });

  test('the token of a logprobs entry is model text: neither redacted nor flagged', () => {
    expect(verdicts({ token: 'Hello', logprob: -0.1 }, 'token')).toEqual({ redacted: false, flagged: false });
  });

  test('a value under a secret name is reported whole, even an object', () => {
    expect(verdicts({ password: { first: 'a', second: 'b' } }, 'password')).toEqual({ redacted: true, flagged: true });
  });

  test('secret shapes in text: the same verdict, with the check each shape makes', () => {
    const flaggedText = (text: string) => scanCassette(cassetteWith({ note: text }), redactConfig()).some((f) => f.severity === 'error');
    const redactedText = (text: string) => new Redactor(redactConfig()).redactString(text) !== text;
    // An ordinary word after "Bearer" is prose, not a credential.
    for (const text of ['Bearer everybody knows', 'Authorization: Bearer abc123DEF456ghi789', 'mail me at a@example.com']) {
      expect(flaggedText(text)).toBe(redactedText(text));
    }
  });

  test('strings: flagged exactly when redaction changes them, JSON and name=value pairs inside included', () => {
    const key = 'abc123def456ghi789';
    const texts = [
      JSON.stringify({ client_secret: key }),
      `{"arguments": {"apiKey": "${key}"}}`,
      `data: {"token_value": 1, "password": "${key}"}\n\n`,
      `curl -H "X-Api-Key: ${key}" https://api.example.com`,
      `password=${key}&user=jane`,
      'Reset your password: click here',
      'the weather is 21 °C',
      JSON.stringify({ password: '***REDACTED***' }),
    ];
    for (const text of texts) {
      const flagged = scanCassette(cassetteWith({ note: text }), redactConfig()).filter((f) => f.severity === 'error');
      const redacted = new Redactor(redactConfig()).redactString(text) !== text;
      expect({ text, flagged: flagged.length > 0 }).toEqual({ text, flagged: redacted });
    }
    // The finding shows where the secret starts, not the start of the text.
    const [finding] = scanCassette(cassetteWith({ note: `{"user":"jane","client_secret":"${key}"}` }), redactConfig());
    expect(finding.message).toBe('holds a value under a secret name (abc123…89); redaction would replace it');
  });

  test('a redacted cassette scans clean, and a base64 body with a key inside does not', () => {
    const key = 'sk-proj-abc123def456ghi789jkl012';
    const body = Buffer.from(`\u0000upload ${key}\u0001`, 'latin1').toString('base64');
    const config = redactConfig();
    const doc = cassetteWith({ note: `token=${key}`, nested: JSON.stringify({ secret: key }) });
    doc.interactions[0].response = { status_code: 200, headers: {}, body_b64: body };
    expect(
      scanCassette(doc, config)
        .filter((f) => f.severity === 'error')
        .map((f) => f.path),
    ).toEqual(['interactions[0].request.json.note', 'interactions[0].request.json.nested', 'interactions[0].response.body_b64']);
    expect(scanCassette(new Redactor(config).redactDocument(doc), config).filter((f) => f.severity === 'error')).toEqual([]);
  });
});
