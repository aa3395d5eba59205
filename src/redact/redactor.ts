/**
 * Redaction (SPEC §10): applied to everything before it is written and to
 * every incoming request before matching, so redacted cassettes still match.
 * Secret names (headers, JSON keys, query parameters) lose their whole value;
 * secret shapes are scrubbed wherever they appear in a string.
 */
import type { Json } from '../cassette/cassette-format';
import type { RedactConfig } from '../config/config';

/** Header and key names whose values are always secret (compared lower-case, `-` and `_` alike). */
export const SECRET_NAMES = [
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'api_key',
  'apikey',
  'x-goog-api-key',
  'openai-api-key',
  'x-auth-token',
  'x-amz-security-token',
  'x-csrf-token',
  'cookie',
  'set-cookie',
  'password',
  'passwd',
  'secret',
  'token',
  'client_secret',
  'access_token',
  'refresh_token',
  'id_token',
  'private_key',
  'session_token',
];

/** Shapes of well-known secrets, scrubbed anywhere in a string. */
export const SECRET_PATTERNS: ReadonlyArray<{ name: string; pattern: RegExp; keep?: string }> = [
  { name: 'PEM private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g },
  { name: 'Anthropic key', pattern: /\bsk-ant-[A-Za-z0-9_-]{16,}/g },
  { name: 'OpenAI key', pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}/g },
  { name: 'Stripe key', pattern: /\b[rsp]k_(?:live|test)_[0-9A-Za-z]{16,}/g },
  { name: 'AWS access key', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { name: 'GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})/g },
  { name: 'Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { name: 'Google API key', pattern: /\bAIza[0-9A-Za-z_-]{30,}/g },
  { name: 'JWT', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { name: 'Bearer token', pattern: /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, keep: '$1 ' },
  { name: 'URL credentials', pattern: /\b([a-z][a-z0-9+.-]*:\/\/)[^\s:@/]+:[^\s@/]+@/gi, keep: '$1' },
  {
    name: 'secret query parameter',
    pattern: /([?&](?:api[_-]?key|key|token|access_token|refresh_token|auth|signature|sig|password|secret|client_secret|code)=)[^&#\s"']+/gi,
    keep: '$1',
  },
];

const EMAIL = /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g;

function normalizeName(name: string): string {
  return name.toLowerCase().replace(/-/g, '_');
}

/**
 * Applies one redaction configuration.
 *
 * @example
 * const redactor = new Redactor(config.redact);
 * redactor.redactString('key sk-proj-abcdefghijklmnopqrstuv'); // 'key ***REDACTED***'
 */
export class Redactor {
  private readonly names: Set<string>;
  private readonly patterns: { pattern: RegExp; keep: string }[];

  constructor(private readonly config: RedactConfig) {
    this.names = new Set([...SECRET_NAMES, ...config.names].map(normalizeName));
    this.patterns = [
      ...SECRET_PATTERNS.map(({ pattern, keep }) => ({ pattern, keep: keep ?? '' })),
      ...config.patterns.map((source) => ({ pattern: new RegExp(source, 'g'), keep: '' })),
    ];
    if (config.emails) this.patterns.push({ pattern: EMAIL, keep: '' });
  }

  /** True when the value under this header or key name is a secret. */
  isSecretName(name: string): boolean {
    return this.config.enabled && this.names.has(normalizeName(name));
  }

  /** Scrubs every secret shape in a string. */
  redactString(text: string): string {
    if (!this.config.enabled) return text;
    let out = text;
    for (const { pattern, keep } of this.patterns) {
      pattern.lastIndex = 0;
      if (pattern.test(out)) {
        pattern.lastIndex = 0;
        out = out.replace(pattern, `${keep}${this.config.placeholder}`);
      }
    }
    return out;
  }

  /** Redacts a JSON value: secret keys lose their value, strings are scrubbed. */
  redactValue(value: Json): Json {
    if (!this.config.enabled) return value;
    if (typeof value === 'string') return this.redactString(value);
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v));
    const out: { [key: string]: Json } = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = this.isSecretName(key) && v !== null && v !== '' ? this.config.placeholder : this.redactValue(v);
    }
    return out;
  }
}
