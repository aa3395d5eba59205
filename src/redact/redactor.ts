/**
 * Redaction (see docs/redaction.md): applied to everything before it is written and to
 * every incoming request before matching, so redacted cassettes still match.
 * Secret names (headers, JSON keys, query and form parameters) lose their
 * whole value; secret shapes are scrubbed wherever they appear in a string,
 * including inside JSON held in a string (tool-call arguments) and the `data:`
 * lines of server-sent events. Redaction is idempotent: redacting a redacted
 * value changes nothing, which is what keeps match keys stable.
 */
import type { CassetteDocument, Json } from '../cassette/cassette-format';
import type { RedactConfig } from '../config/config';
import { CREDENTIAL_HEADERS } from '../engine/header-policy';

/**
 * Header and key names whose values are always secret (compared lower-case,
 * ignoring `-` and `_`): the credential headers of src/engine/header-policy.ts,
 * then key names.
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
 * Names too common in ordinary prose to be trusted in `name: value` text
 * ("Reset your password: click here"). In JSON keys, headers and `name=value`
 * pairs they are still secret.
 */
const PROSE_WORDS = new Set(['token', 'secret', 'password', 'passwd']);

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

/** One secret shape. */
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

/** Shapes of well-known secrets, scrubbed anywhere in a string. */
export const SECRET_PATTERNS: ReadonlyArray<SecretPattern> = [
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

const EMAIL_PATTERNS: ReadonlyArray<SecretPattern> = [
  { name: 'e-mail address', hints: ['@'], pattern: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g },
  // The same, percent-encoded in a URL or form body.
  { name: 'e-mail address', hints: ['%40'], pattern: /(?:[A-Za-z0-9._+-]|%[0-9A-Fa-f]{2})+%40[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g },
];

/** `name=value` in query strings, form bodies and env-file text. */
const NAME_EQUALS_VALUE = /(^|[^A-Za-z0-9_.-])([A-Za-z][A-Za-z0-9_.-]*)(=)([^&#\s"'<>]+)/g;
/** `Name: value` in header-like text (a curl command, a log line). */
const NAME_COLON_VALUE = /(^|[^A-Za-z0-9_.-])([A-Za-z][A-Za-z0-9_-]*)(:[ \t]*)([^\s"',;]+(?:[ \t]+[A-Za-z0-9._~+/=-]{16,})?)/g;

function normalizeName(name: string): string {
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

/** A secret found in a text, as reported by `findSecrets`. */
export interface SecretFinding {
  /** The rule that matched, e.g. `OpenAI key`. */
  rule: string;
  /** The matched text. */
  match: string;
}

/**
 * Applies one redaction configuration.
 *
 * @example
 * const redactor = new Redactor(config.redact);
 * redactor.redactString(`key ${process.env.OPENAI_API_KEY}`); // 'key ***REDACTED***'
 */
export class Redactor {
  private readonly names: Set<string>;
  private readonly patterns: SecretPattern[];
  /** Matches wherever any rule could apply; most strings (prose) fail it in one pass. */
  private readonly trigger: RegExp | undefined;

  constructor(private readonly config: RedactConfig) {
    this.names = new Set([...SECRET_NAMES, ...config.names].map(normalizeName));
    this.patterns = [
      ...SECRET_PATTERNS,
      ...config.patterns.map((source, i) => ({ name: `redact.patterns[${i}]`, pattern: new RegExp(source, 'g') })),
      ...(config.emails ? EMAIL_PATTERNS : []),
    ];
    const everyPatternHinted = this.patterns.every((p) => p.hints);
    const hints = this.patterns.flatMap((p) => p.hints ?? []).map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.trigger = everyPatternHinted ? new RegExp([...hints, '[=:]'].join('|')) : undefined;
  }

  /** The text that replaces a secret. */
  get placeholder(): string {
    return this.config.placeholder;
  }

  /** True when the value under this header or key name is a secret. */
  isSecretName(name: string): boolean {
    return this.config.enabled && this.names.has(normalizeName(name));
  }

  /**
   * Scrubs every secret in a string: JSON held in the string is redacted
   * structurally (tool-call arguments), `data:` lines of an event stream too,
   * then secret shapes and `name=value` pairs anywhere.
   */
  redactString(text: string): string {
    if (!this.config.enabled || text === '') return text;
    let out = this.redactEmbeddedJson(text) ?? this.redactEventStream(text) ?? text;
    if (this.trigger && !this.trigger.test(out)) return out;
    if (out.includes('=')) out = out.replace(NAME_EQUALS_VALUE, (match, before: string, name: string, eq: string, value: string) =>
      this.isSecretName(name) && !this.placeholder.startsWith(value) ? `${before}${name}${eq}${this.placeholder}` : match,
    );
    if (out.includes(':')) out = out.replace(NAME_COLON_VALUE, (match, before: string, name: string, colon: string, value: string) => {
      if (!this.isSecretName(name) || PROSE_WORDS.has(normalizeName(name)) || value.includes(this.placeholder)) return match;
      return `${before}${name}${colon}${this.placeholder}`;
    });
    for (const { pattern, keep, accept, hints } of this.patterns) {
      if (hints && !hints.some((hint) => out.includes(hint))) continue;
      pattern.lastIndex = 0;
      out = out.replace(pattern, (match: string, ...rest: unknown[]) => {
        const groups = rest.slice(0, -2).map((g) => (typeof g === 'string' ? g : ''));
        if (accept && !accept(match, ...groups)) return match;
        const prefix = (keep ?? '').replace(/\$(\d)/g, (_, n: string) => groups[Number(n) - 1] ?? '');
        return `${prefix}${this.placeholder}`;
      });
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
    const logprob = isLogprobEntry(value);
    for (const [key, v] of Object.entries(value)) {
      const secret = this.isSecretName(key) && v !== null && v !== '' && !(logprob && key === 'token');
      if (secret) out[key] = this.config.placeholder;
      else if (BASE64_KEYS.has(key) && typeof v === 'string') out[key] = this.redactBase64(v);
      else out[key] = this.redactValue(v);
    }
    return out;
  }

  /** Scrubs secrets inside base64-encoded bytes; every byte outside a secret is kept. */
  private redactBase64(value: string): string {
    const bytes = base64AsLatin1(value);
    if (bytes === undefined) return this.redactString(value);
    const redacted = this.redactString(bytes);
    return redacted === bytes ? value : Buffer.from(redacted, 'latin1').toString('base64');
  }

  /**
   * Redacts a recorded error (`{ type, message, code }`) or any thrown value,
   * for adapters that store errors.
   *
   * @example
   * tape.record({ ...base, error: redactor.redactError({ type: e.name, message: e.message }) });
   */
  redactError<T extends { [key: string]: Json }>(error: T): T {
    return this.redactValue(error) as T;
  }

  /**
   * The whole cassette, redacted: the last line of defence before a file is
   * written, covering interactions from every adapter and `meta`.
   *
   * @example
   * writeCassetteFile(file, redactor.redactDocument(doc));
   */
  redactDocument(doc: CassetteDocument): CassetteDocument {
    if (!this.config.enabled) return doc;
    return {
      ...doc,
      meta: this.redactValue(doc.meta) as CassetteDocument['meta'],
      interactions: doc.interactions.map((interaction) => {
        const out = { ...interaction };
        for (const field of ['request', 'response', 'error', 'metadata'] as const) {
          if (out[field] !== undefined) (out as Record<string, Json>)[field] = this.redactValue(out[field] as Json);
        }
        return out;
      }),
    };
  }

  /**
   * Every secret shape found in a text (for scanners such as `agenttape validate`).
   *
   * @example
   * redactor.findSecrets(fs.readFileSync(file, 'utf8')); // [{ rule: 'OpenAI key', match: 'sk-…' }]
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

  private redactEmbeddedJson(text: string): string | undefined {
    if (!/^\s*[[{]/.test(text)) return undefined;
    let parsed: Json;
    try {
      parsed = JSON.parse(text) as Json;
    } catch {
      return undefined;
    }
    const redacted = this.redactValue(parsed);
    // Re-serialize only when something changed, so untouched strings keep their bytes.
    return JSON.stringify(redacted) === JSON.stringify(parsed) ? text : JSON.stringify(redacted);
  }

  private redactEventStream(text: string): string | undefined {
    if (!/^data:/m.test(text)) return undefined;
    return text.replace(/^(data:[ ]?)(.*)$/gm, (line, prefix: string, data: string) => {
      const redacted = this.redactEmbeddedJson(data);
      return redacted === undefined ? line : `${prefix}${redacted}`;
    });
  }
}

/**
 * Redacts any JSON value with a configuration (defaults when omitted): the
 * entry point for adapters and scripts that do not hold a `Redactor`.
 *
 * @example
 * redactSecrets({ args: { apiKey: process.env.KEY } }); // { args: { apiKey: '***REDACTED***' } }
 */
export function redactSecrets(value: Json, config?: Partial<RedactConfig>): Json {
  const full: RedactConfig = { enabled: true, names: [], patterns: [], placeholder: '***REDACTED***', emails: true, ...config };
  return new Redactor(full).redactValue(value);
}
