/**
 * Secret detection (docs/redaction.md, "What is redacted"): which names hold
 * secrets and which shapes of text are secrets. The one answer both the
 * `Redactor`, which replaces what it finds, and `agenttape validate`'s leak
 * scan (src/tools/scan-cassette.ts), which reports what redaction would have
 * replaced, rely on — so a cassette passes validation exactly when redaction
 * would leave it as it is.
 */
import type { Json } from '../json';
import type { RedactConfig } from '../config/config';
import { CREDENTIAL_HEADERS } from '../cassette/header-policy';

/**
 * Header and key names whose values are always secret (compared lower-case,
 * ignoring `-` and `_`): the credential headers of src/cassette/header-policy.ts,
 * then key names.
 *
 * @example
 * SECRET_NAMES.includes('client_secret'); // true
 */
export const SECRET_NAMES: readonly string[] = [
  ...CREDENTIAL_HEADERS,
  'apikey',
  'password',
  'passwd',
  'secret',
  'token',
  'client_secret',
  'access_token',
  'refresh_token',
  'id_token',
  'auth_token',
  'bearer_token',
  'private_key',
  'secret_key',
  'secret_access_key',
  'aws_secret_access_key',
  'session_token',
  'webhook_secret',
  'signing_secret',
];

/**
 * Keys whose string value is base64 of raw bytes (binary bodies, stream chunks,
 * a multipart body's verbatim copy). A key pasted into an upload or a binary
 * response would otherwise reach the cassette encoded, where no text scan sees it.
 *
 * @example
 * BASE64_KEYS.has('body_b64'); // true
 */
export const BASE64_KEYS: ReadonlySet<string> = new Set(['body_b64', 'raw_b64']);

/**
 * Decodes base64 bytes to a string with one character per byte (latin1), so
 * ASCII secret shapes can be found and replaced without disturbing any other
 * byte; undefined when the value is not canonical base64.
 *
 * @example
 * base64AsLatin1(Buffer.from('\x00sk-proj-…').toString('base64')); // '\x00sk-proj-…'
 */
export function base64AsLatin1(value: string): string | undefined {
  const bytes = Buffer.from(value, 'base64');
  return bytes.toString('base64') === value ? bytes.toString('latin1') : undefined;
}

/**
 * One secret shape.
 *
 * @example
 * const stripe: SecretPattern = { name: 'Stripe key', hints: ['k_live_'], pattern: /\bsk_live_[0-9A-Za-z]{16,}/g };
 */
export interface SecretPattern {
  name: string;
  pattern: RegExp;
  /** Replacement prefix kept before the placeholder (`$1 ` keeps the group). */
  keep?: string;
  /** Extra check on a match, to avoid false positives on ordinary words. */
  accept?: (match: string, ...groups: string[]) => boolean;
  /** Literal texts of which one must appear for the pattern to be tried: a cheap pre-check. */
  hints?: string[];
}

/** Credentials look random: a digit, a symbol of base64, or a capital after the first letter. */
function looksRandom(token: string): boolean {
  return /[0-9+/=_-]/.test(token) || /[A-Z]/.test(token.slice(1));
}

/**
 * Shapes of well-known secrets, scrubbed anywhere in a string.
 *
 * @example
 * SECRET_PATTERNS.map((p) => p.name); // ['PEM private key', 'Anthropic key', 'OpenAI key', …]
 */
const SECRET_PATTERNS: ReadonlyArray<SecretPattern> = [
  { name: 'PEM private key', hints: ['-----BEGIN'], pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g },
  { name: 'Anthropic key', hints: ['sk-ant-'], pattern: /\bsk-ant-[A-Za-z0-9_-]{16,}/g },
  // A digit is required so that long digit-free words survive, such as a scikit-learn
  // tutorial's slug: "sk-" followed by "learn-classifier-tutorial".
  { name: 'OpenAI key', hints: ['sk-'], pattern: /\bsk-(?!ant-)(?:proj-|svcacct-|admin-)?(?=[A-Za-z_-]*[0-9])[A-Za-z0-9_-]{16,}/g },
  { name: 'Stripe key', hints: ['k_live_', 'k_test_'], pattern: /\b[rsp]k_(?:live|test)_[0-9A-Za-z]{16,}/g },
  { name: 'Stripe webhook secret', hints: ['whsec_'], pattern: /\bwhsec_[0-9A-Za-z]{16,}/g },
  { name: 'AWS access key', hints: ['AKIA', 'ASIA'], pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { name: 'GitHub token', hints: ['gh', 'github_pat_'], pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})/g },
  { name: 'Slack token', hints: ['xox'], pattern: /\bxox[abposre]-[A-Za-z0-9-]{10,}/g },
  { name: 'Slack webhook', hints: ['hooks.slack.com'], pattern: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/]+/g },
  { name: 'Google API key', hints: ['AIza'], pattern: /\bAIza[0-9A-Za-z_-]{30,}/g },
  { name: 'JWT', hints: ['eyJ'], pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  {
    name: 'Bearer token',
    hints: ['Bearer', 'Basic', 'Token'],
    pattern: /\b(Bearer|Basic|Token)\s+([A-Za-z0-9._~+/-]{8,}=*)/g,
    keep: '$1 ',
    accept: (_match, _scheme, token) => looksRandom(token),
  },
  { name: 'URL credentials', hints: ['://'], pattern: /\b([a-z][a-z0-9+.-]*:\/\/)[^\s:@/]+:[^\s@/]+@/gi, keep: '$1' },
  {
    name: 'secret query parameter',
    hints: ['='],
    pattern: /([?&](?:api[_-]?key|key|token|access[_-]?token|refresh[_-]?token|id[_-]?token|auth|signature|sig|x-amz-signature|x-amz-credential|x-amz-security-token|password|secret|client[_-]?secret|code)=)[^&#\s"']+/gi,
    keep: '$1',
  },
];

/** E-mail addresses, scrubbed when `redact.emails` is on. */
const EMAIL_PATTERNS: ReadonlyArray<SecretPattern> = [
  { name: 'e-mail address', hints: ['@'], pattern: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g },
  // The same, percent-encoded in a URL or form body.
  { name: 'e-mail address', hints: ['%40'], pattern: /(?:[A-Za-z0-9._+-]|%[0-9A-Fa-f]{2})+%40[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g },
];

/**
 * The form secret names are compared in: lower-case, without `-` and `_`, so
 * `clientSecret`, `CLIENT_SECRET` and `client-secret` are one name
 * (docs/redaction.md, "What is redacted").
 *
 * @example
 * normalizeSecretName('X-Api-Key'); // 'xapikey'
 * normalizeSecretName('clientSecret') === normalizeSecretName('client_secret'); // true
 */
export function normalizeSecretName(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/**
 * An OpenAI logprobs entry (`{ token, logprob, bytes, top_logprobs }`): its
 * `token` is a piece of the model's text, not a credential. Redacting it
 * would corrupt every replay that asks for logprobs.
 */
function isLogprobEntry(object: { [key: string]: Json }): boolean {
  return 'logprob' in object;
}

/**
 * A secret found in a text, as reported by {@link SecretDetector.findSecrets}.
 *
 * @example
 * const finding: SecretFinding = { rule: 'OpenAI key', match: 'sk-proj-…' };
 */
export interface SecretFinding {
  /** The rule that matched, e.g. `OpenAI key`. */
  rule: string;
  /** The matched text. */
  match: string;
}

/**
 * Finds secrets under one redaction configuration: its secret names
 * (built-in plus `redact.names`) and secret shapes (built-in, `redact.patterns`,
 * e-mail addresses when `redact.emails`). It answers whether something is
 * secret; `redact.enabled` is for the `Redactor` to honour, as a scan still
 * reports leaks with redaction switched off.
 *
 * @example
 * const detector = new SecretDetector(config.redact);
 * detector.isSecretName('clientSecret'); // true
 */
export class SecretDetector {
  private readonly names: Set<string>;
  /** Every shape tried, built-in first, in the order findings are reported. */
  readonly patterns: readonly SecretPattern[];

  constructor(config: Pick<RedactConfig, 'names' | 'patterns' | 'emails'>) {
    this.names = new Set([...SECRET_NAMES, ...config.names].map(normalizeSecretName));
    this.patterns = [...SECRET_PATTERNS, ...config.patterns.map((source, i) => ({ name: `redact.patterns[${i}]`, pattern: new RegExp(source, 'g') })), ...(config.emails ? EMAIL_PATTERNS : [])];
  }

  /**
   * True when the value under this header or key name is a secret.
   *
   * @example
   * detector.isSecretName('CLIENT_SECRET'); // true
   */
  isSecretName(name: string): boolean {
    return this.names.has(normalizeSecretName(name));
  }

  /**
   * True when the value under `key` of `object` is a secret to replace whole:
   * a secret name holding something (not null, not empty) — except the
   * `token` of a logprobs entry, which is model text.
   *
   * @example
   * detector.isSecretEntry({ clientSecret: 'abc' }, 'clientSecret');       // true
   * detector.isSecretEntry({ token: 'Hello', logprob: -0.1 }, 'token');    // false
   */
  isSecretEntry(object: { [key: string]: Json }, key: string): boolean {
    const value = object[key];
    return this.isSecretName(key) && value !== null && value !== '' && value !== undefined && !(key === 'token' && isLogprobEntry(object));
  }

  /**
   * Every secret shape found in a text, pattern by pattern.
   *
   * @example
   * detector.findSecrets(`key ${process.env.OPENAI_API_KEY}`); // [{ rule: 'OpenAI key', match: 'sk-…' }]
   */
  findSecrets(text: string): SecretFinding[] {
    const found: SecretFinding[] = [];
    for (const { name, pattern, accept, hints } of this.patterns) {
      if (hints && !hints.some((hint) => text.includes(hint))) continue;
      for (const m of text.matchAll(new RegExp(pattern.source, pattern.flags))) {
        if (accept && !accept(m[0], ...m.slice(1).map((g) => g ?? ''))) continue;
        found.push({ rule: name, match: m[0] });
      }
    }
    return found;
  }
}
