/**
 * `agenttape validate`: checks a cassette file before it is committed — the
 * schema (through the format module's own parser), secrets that escaped
 * redaction (what src/redact/secret-detector.ts, which the redactor uses too,
 * calls secret: a value is flagged exactly when redaction would replace it),
 * and determinism risks such as
 * timestamps or random ids in requests that will differ on the next run.
 */
import * as fs from 'node:fs';
import { parseCassetteFile } from '../cassette/cassette-file';
import type { CassetteDocument } from '../cassette/cassette-schema';
import type { Json } from '../json';
import type { RedactConfig } from '../config/config';
import { DEFAULT_VOLATILE_FIELDS } from '../engine/canonical-request';
import { AgentTapeError } from '../errors';
import { Redactor } from '../redact/redactor';
import { BASE64_KEYS, base64AsLatin1, SecretDetector } from '../redact/secret-detector';

/** One finding. Errors fail validation; warnings fail it only with `--strict`. */
interface ScanFinding {
  severity: 'error' | 'warning';
  /** Field path such as `interactions[2].request.headers.authorization`. */
  path: string;
  message: string;
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function visit(value: Json | undefined, path: string, onLeaf: (path: string, key: string, value: Json) => void, key = ''): void {
  if (value === undefined) return;
  if (Array.isArray(value)) value.forEach((item, i) => visit(item, `${path}[${i}]`, onLeaf, key));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, `${path}.${k}`, onLeaf, k);
  else onLeaf(path, key, value);
}

/** The part of `original` that redaction replaced: what lies between their common start and end. */
function replacedPart(original: string, redacted: string): string {
  let start = 0;
  while (original[start] === redacted[start]) start++;
  let end = 0;
  while (end < original.length - start && original[original.length - 1 - end] === redacted[redacted.length - 1 - end]) end++;
  return original.slice(start, original.length - end);
}

function shorten(text: string): string {
  return text.length > 12 ? `${text.slice(0, 6)}…${text.slice(-2)}` : `${text.slice(0, 3)}…`;
}

/**
 * Scans a parsed cassette for leaked secrets and determinism risks.
 *
 * @example
 * scanCassette(doc, config.redact).filter((f) => f.severity === 'error');
 */
export function scanCassette(doc: CassetteDocument, redact: RedactConfig): ScanFinding[] {
  const findings: ScanFinding[] = [];
  const detector = new SecretDetector(redact);
  // A leak is reported even where redaction is switched off.
  const redactor = new Redactor({ ...redact, enabled: true });
  const volatile = new Set(DEFAULT_VOLATILE_FIELDS);
  // Walks a value as Redactor.redactValue does, so a value under a secret name is reported
  // whole (an object included) and a logprobs entry's `token` is not.
  const checkSecrets = (value: Json | undefined, path: string, key = ''): void => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) return value.forEach((item, i) => checkSecrets(item, `${path}[${i}]`, key));
    if (typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (!detector.isSecretEntry(value, k)) checkSecrets(v, `${path}.${k}`, k);
        else if (v !== redact.placeholder) {
          const shown = shorten(typeof v === 'string' ? v : JSON.stringify(v));
          findings.push({ severity: 'error', path: `${path}.${k}`, message: `secret field "${k}" holds a value (${shown}) instead of ${redact.placeholder}` });
        }
      }
      return;
    }
    // A string is a leak exactly when redaction would change it: a secret shape,
    // a `name=value` pair, a secret key in JSON held in the string, a key in
    // base64 bytes. Redaction leaves a redacted value as it is.
    if (typeof value !== 'string') return;
    const redacted = redactor.redactField(key, value);
    if (redacted === value) return;
    const text = BASE64_KEYS.has(key) ? (base64AsLatin1(value) ?? value) : value;
    const [found] = detector.findSecrets(text.split(redact.placeholder).join(' '));
    const evidence = found ? `matches the ${found.rule} pattern (${shorten(found.match)})` : `holds a value under a secret name (${shorten(replacedPart(value, redacted))})`;
    findings.push({ severity: 'error', path, message: `${evidence}; redaction would replace it` });
  };
  const checkDeterminism = (path: string, key: string, value: Json) => {
    if (typeof value !== 'string' || volatile.has(key.toLowerCase())) return;
    if (ISO_TIMESTAMP.test(value)) {
      findings.push({ severity: 'warning', path, message: `request holds a timestamp (${value}); if it changes per run, freeze the clock or add "${key}" to ignoreVolatileFields` });
    } else if (UUID.test(value)) {
      findings.push({ severity: 'warning', path, message: `request holds a random id (${value}); if it changes per run, freeze uuid or add "${key}" to ignoreVolatileFields` });
    }
  };
  // The frozen environment is what the test saw, not data that left the process.
  const { freeze: _freeze, ...meta } = doc.meta;
  checkSecrets(meta, 'meta');
  doc.interactions.forEach((interaction, i) => {
    const at = `interactions[${i}]`;
    checkSecrets(interaction.request, `${at}.request`);
    checkSecrets(interaction.response, `${at}.response`);
    checkSecrets(interaction.error as Json | undefined, `${at}.error`);
    checkSecrets(interaction.metadata, `${at}.metadata`);
    const { headers: _headers, url, ...requestBody } = interaction.request;
    visit(requestBody, `${at}.request`, checkDeterminism);
    if (typeof url === 'string' && URL.canParse(url)) {
      for (const [name, value] of new URL(url).searchParams) checkDeterminism(`${at}.request.url?${name}`, name, value);
    }
    if (!interaction.match_key) findings.push({ severity: 'warning', path: `${at}.match_key`, message: 'no match_key; the Python AgentTape needs one to replay this interaction' });
  });
  return findings;
}

/** The result of validating one file. */
export interface FileValidation {
  file: string;
  findings: ScanFinding[];
}

/**
 * Reads, parses and scans one cassette file; a file that does not parse is one error finding.
 *
 * @example
 * const { findings } = validateCassetteFile('cassettes/a.yaml', config.redact);
 */
export function validateCassetteFile(file: string, redact: RedactConfig): FileValidation {
  let doc: CassetteDocument;
  try {
    doc = parseCassetteFile(fs.readFileSync(file, 'utf8'), file);
  } catch (error) {
    if (!(error instanceof AgentTapeError)) throw error;
    return { file, findings: [{ severity: 'error', path: '(file)', message: `${error.message.split('\n')[0]} [${error.code}]` }] };
  }
  return { file, findings: scanCassette(doc, redact) };
}

/**
 * Renders findings, one per line, grouped under their file.
 *
 * @example
 * console.log(formatValidation(results));
 */
export function formatValidation(results: FileValidation[]): string {
  const lines: string[] = [];
  for (const { file, findings } of results) {
    if (findings.length === 0) {
      lines.push(`ok ${file}`);
      continue;
    }
    lines.push(`${findings.some((f) => f.severity === 'error') ? 'FAIL' : 'warn'} ${file}`);
    for (const finding of findings) lines.push(`  ${finding.severity}: ${finding.path}: ${finding.message}`);
  }
  const errors = results.reduce((n, r) => n + r.findings.filter((f) => f.severity === 'error').length, 0);
  const warnings = results.reduce((n, r) => n + r.findings.filter((f) => f.severity === 'warning').length, 0);
  lines.push(`${results.length} cassettes checked: ${errors} errors, ${warnings} warnings`);
  return lines.join('\n');
}
