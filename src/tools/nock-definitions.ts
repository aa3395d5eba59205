/**
 * Converting between AgentTape cassettes and nock definitions — the objects
 * `nock.recorder.rec({ output_objects: true })` prints and `nock.back` stores
 * in its fixture files — so a project can move its nock fixtures over, or hand
 * a cassette to code that still uses nock.
 */
import { gunzipSync, brotliDecompressSync, inflateSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import type { CassetteDocument, Interaction } from '../cassette/cassette-schema';
import { isJsonObject, type Json } from '../json';
import type { AgentTapeConfig } from '../config/config';
import { matchKeyOf } from '../engine/match-index';
import { ImportFormatError } from '../errors';
import { classifyUrl, toStoredRequest, toStoredResponse } from '../http/http-exchange';
import { extractLlmUsage } from '../http/llm-usage';
import { Redactor } from '../redact/redactor';
import { AGENTTAPE_VERSION } from '../version';
import { httpResponseOf } from './interaction-facts';

/** One nock definition, as nock's recorder and nock.back write it. */
export interface NockDefinition {
  scope: string;
  method: string;
  path: string;
  body?: Json;
  status: number;
  response?: Json;
  rawHeaders?: string[] | Record<string, string>;
  headers?: Record<string, string>;
  reqheaders?: Record<string, string>;
  responseIsBinary?: boolean;
}

function headerPairs(definition: NockDefinition): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const add = (name: string, value: string) => {
    const key = name.toLowerCase();
    const existing = out[key];
    out[key] = existing === undefined ? value : ([] as string[]).concat(existing, value);
  };
  const raw = definition.rawHeaders ?? definition.headers;
  if (Array.isArray(raw)) for (let i = 0; i + 1 < raw.length; i += 2) add(String(raw[i]), String(raw[i + 1]));
  else if (raw && typeof raw === 'object') for (const [name, value] of Object.entries(raw)) add(name, String(value));
  return out;
}

function responseBytes(definition: NockDefinition, encoding: string): Buffer {
  const { response } = definition;
  if (response === undefined || response === null) return Buffer.alloc(0);
  // nock records compressed or binary bodies as hex: one string, or an array of chunks.
  const isHexChunks = Array.isArray(response) && response.length > 0 && response.every((c) => typeof c === 'string' && /^[0-9a-f]*$/i.test(c));
  let bytes: Buffer;
  if (definition.responseIsBinary && typeof response === 'string') bytes = Buffer.from(response, 'hex');
  else if (isHexChunks && encoding) bytes = Buffer.concat((response as string[]).map((c) => Buffer.from(c, 'hex')));
  else bytes = Buffer.from(typeof response === 'string' ? response : JSON.stringify(response));
  if (/gzip/i.test(encoding)) return gunzipSync(bytes);
  if (/br/i.test(encoding)) return brotliDecompressSync(bytes);
  if (/deflate/i.test(encoding)) return inflateSync(bytes);
  return bytes;
}

function requestBytes(body: Json | undefined): Buffer {
  if (body === undefined || body === null || body === '') return Buffer.alloc(0);
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
}

function checkDefinition(raw: unknown, i: number, source: string): NockDefinition {
  const where = `${source}: definition ${i}`;
  if (!isJsonObject(raw)) throw new ImportFormatError(`${where} is not an object. Pass the JSON that nock.recorder.rec({ output_objects: true }) printed, or a nock.back fixture file.`);
  const d = raw as unknown as NockDefinition;
  if (typeof d.scope !== 'string' || !/^https?:\/\//.test(d.scope)) throw new ImportFormatError(`${where} has no "scope" URL (found ${JSON.stringify(d.scope)}). Each definition needs scope, method, path and status.`);
  if (typeof d.method !== 'string' || typeof d.path !== 'string') throw new ImportFormatError(`${where} needs a string "method" and "path". Each definition needs scope, method, path and status.`);
  if (d.status !== undefined && typeof d.status !== 'number') throw new ImportFormatError(`${where} has a non-numeric "status" ${JSON.stringify(d.status)}.`);
  return d;
}

/**
 * Reads nock definitions from JSON text: an array (nock.back fixture,
 * recorder output) or `{ "definitions": [...] }`.
 *
 * @example
 * const definitions = parseNockDefinitions(fs.readFileSync('fixture.json', 'utf8'), 'fixture.json');
 */
export function parseNockDefinitions(text: string, source: string): NockDefinition[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ImportFormatError(`${source} is not JSON: ${(error as Error).message}. Save the recorder output with JSON.stringify(nock.recorder.play()) or pass a nock.back fixture.`);
  }
  const list = Array.isArray(data) ? data : isJsonObject(data) && Array.isArray((data as { definitions?: unknown }).definitions) ? (data as { definitions: unknown[] }).definitions : undefined;
  if (!list) throw new ImportFormatError(`${source} holds no list of nock definitions. Expected a JSON array of { scope, method, path, status, response } objects.`);
  return list.map((raw, i) => checkDefinition(raw, i, source));
}

/**
 * Converts nock definitions into a cassette, redacted with the configured
 * rules and classified like live traffic (LLM hosts become `kind: llm`).
 *
 * @example
 * const doc = importNockDefinitions(definitions, config, { testName: 'imported from fixture.json' });
 */
export function importNockDefinitions(definitions: NockDefinition[], config: AgentTapeConfig, meta: { testName: string; now?: Date }): CassetteDocument {
  const redactor = new Redactor(config.redact);
  const interactions = definitions.map((definition, index): Interaction => {
    const url = `${definition.scope.replace(/\/$/, '')}${definition.path}`;
    const reqHeaders = { ...(definition.reqheaders ?? {}) };
    if (isJsonObject(definition.body ?? null) || Array.isArray(definition.body)) reqHeaders['content-type'] ??= 'application/json';
    const request = toStoredRequest({ method: definition.method, url, headers: reqHeaders, body: requestBytes(definition.body) }, redactor);
    const headers = headerPairs(definition);
    const encoding = String(headers['content-encoding'] ?? '');
    const contentType = String(headers['content-type'] ?? (typeof definition.response === 'object' && definition.response !== null ? 'application/json' : ''));
    const response = toStoredResponse({ status: definition.status ?? 200, headers: { ...headers, 'content-type': contentType }, body: responseBytes(definition, encoding) }, redactor, config.redact.placeholder);
    if (!headers['content-type'] && isJsonObject(response.headers)) delete response.headers['content-type'];
    const { kind, boundary } = classifyUrl(url, config.llmHosts);
    return {
      index,
      kind,
      boundary,
      request,
      response,
      match_key: matchKeyOf(request, config),
      latency_ms: null,
      usage: kind === 'llm' ? extractLlmUsage(response) : null,
      tags: ['imported:nock'],
      metadata: {},
    };
  });
  const now = meta.now ?? new Date();
  return {
    version: '1',
    created_at: now.toISOString(),
    run_id: randomUUID(),
    meta: { agenttape_version: AGENTTAPE_VERSION, mode: 'record', test_name: meta.testName, freeze: {}, tags: ['imported:nock'] },
    interactions,
  };
}

/**
 * Converts the HTTP interactions of a cassette into nock definitions (tool and
 * other non-HTTP interactions have no nock form and are left out).
 *
 * @example
 * nock.define(exportNockDefinitions(doc));
 */
export function exportNockDefinitions(doc: CassetteDocument): NockDefinition[] {
  const definitions: NockDefinition[] = [];
  for (const interaction of doc.interactions) {
    const { request } = interaction;
    const response = httpResponseOf(interaction);
    if (typeof request.method !== 'string' || typeof request.url !== 'string' || !response) continue;
    const url = new URL(request.url);
    const rawHeaders: string[] = [];
    for (const [name, value] of Object.entries(isJsonObject(response.headers) ? response.headers : {})) {
      for (const v of Array.isArray(value) ? value : [value]) rawHeaders.push(name, String(v));
    }
    const definition: NockDefinition = { scope: url.origin, method: request.method, path: `${url.pathname}${url.search}`, status: Number(response.status_code) };
    const requestHeaders = isJsonObject(request.headers) ? Object.entries(request.headers).filter(([, v]) => typeof v === 'string') : [];
    if (requestHeaders.length > 0) definition.reqheaders = Object.fromEntries(requestHeaders) as Record<string, string>;
    if (request.json !== undefined) definition.body = request.json;
    else if (typeof request.text === 'string') definition.body = request.text;
    else if (typeof request.body_b64 === 'string') definition.body = Buffer.from(request.body_b64, 'base64').toString('hex');
    if (response.json !== undefined) definition.response = response.json;
    else if (typeof response.text === 'string') definition.response = response.text;
    else if (typeof response.body_b64 === 'string') {
      definition.response = Buffer.from(response.body_b64, 'base64').toString('hex');
      definition.responseIsBinary = true;
    }
    definition.rawHeaders = rawHeaders;
    definitions.push(definition);
  }
  return definitions;
}
