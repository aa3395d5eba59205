/**
 * Redaction (see docs/redaction.md): applied to everything before it is written and to
 * every incoming request before matching, so redacted cassettes still match.
 * Secret names (headers, JSON keys, query and form parameters) lose their
 * whole value; secret shapes are scrubbed wherever they appear in a string,
 * including inside JSON held in a string (tool-call arguments) and the `data:`
 * lines of server-sent events. Redaction is idempotent: redacting a redacted
 * value changes nothing, which is what keeps match keys stable.
 */
import type { CassetteDocument } from '../cassette/cassette-schema';
import type { Json } from '../json';
import type { RedactConfig } from '../config/config';
import { base64AsLatin1, BASE64_KEYS, normalizeSecretName, SecretDetector } from './secret-detector';

/**
 * Names too common in ordinary prose to be trusted in `name: value` text
 * ("Reset your password: click here"). In JSON keys, headers and `name=value`
 * pairs they are still secret.
 */
const PROSE_WORDS = new Set(['token', 'secret', 'password', 'passwd']);

/** `name=value` in query strings, form bodies and env-file text. */
const NAME_EQUALS_VALUE = /(^|[^A-Za-z0-9_.-])([A-Za-z][A-Za-z0-9_.-]*)(=)([^&#\s"'<>]+)/g;
/** `Name: value` in header-like text (a curl command, a log line). */
const NAME_COLON_VALUE = /(^|[^A-Za-z0-9_.-])([A-Za-z][A-Za-z0-9_-]*)(:[ \t]*)([^\s"',;]+(?:[ \t]+[A-Za-z0-9._~+/=-]{16,})?)/g;

/**
 * Applies one redaction configuration.
 *
 * @example
 * const redactor = new Redactor(config.redact);
 * redactor.redactString(`key ${process.env.OPENAI_API_KEY}`); // 'key ***REDACTED***'
 */
export class Redactor {
  /** What is secret; this class decides only how it is replaced. */
  private readonly detector: SecretDetector;
  /** Matches wherever any rule could apply; most strings (prose) fail it in one pass. */
  private readonly trigger: RegExp | undefined;

  constructor(private readonly config: RedactConfig) {
    this.detector = new SecretDetector(config);
    const everyPatternHinted = this.detector.patterns.every((p) => p.hints);
    const hints = this.detector.patterns.flatMap((p) => p.hints ?? []).map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.trigger = everyPatternHinted ? new RegExp([...hints, '[=:]'].join('|')) : undefined;
  }

  /** The text that replaces a secret. */
  get placeholder(): string {
    return this.config.placeholder;
  }

  /** True when the value under this header or key name is a secret. */
  isSecretName(name: string): boolean {
    return this.config.enabled && this.detector.isSecretName(name);
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
    if (out.includes('='))
      out = out.replace(NAME_EQUALS_VALUE, (match, before: string, name: string, eq: string, value: string) =>
        this.isSecretName(name) && !this.placeholder.startsWith(value) ? `${before}${name}${eq}${this.placeholder}` : match,
      );
    if (out.includes(':'))
      out = out.replace(NAME_COLON_VALUE, (match, before: string, name: string, colon: string, value: string) => {
        if (!this.isSecretName(name) || PROSE_WORDS.has(normalizeSecretName(name)) || value.includes(this.placeholder)) return match;
        return `${before}${name}${colon}${this.placeholder}`;
      });
    for (const { pattern, keep, accept, hints } of this.detector.patterns) {
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
    for (const [key, v] of Object.entries(value)) {
      if (this.detector.isSecretEntry(value, key)) out[key] = this.config.placeholder;
      else out[key] = typeof v === 'string' ? this.redactField(key, v) : this.redactValue(v);
    }
    return out;
  }

  /**
   * Scrubs the string under `key` of an object: as text, or, under a key that
   * holds base64 bytes, inside the bytes, keeping every byte outside a secret.
   *
   * @example
   * redactor.redactField('body_b64', Buffer.from(`key=${key}`).toString('base64'));
   */
  redactField(key: string, value: string): string {
    if (!BASE64_KEYS.has(key)) return this.redactString(value);
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
