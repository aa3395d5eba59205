/**
 * Payloads the Python AgentTape keeps beside a cassette (`<name>.assets/`) are
 * put back when the cassette is read, by every reader (small YAML, large YAML
 * a line at a time and its parse cache, JSON); a missing one is a
 * CassetteCorruptError naming the field (docs/python-interop.md).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inlineAssets } from '../../src/cassette/cassette-assets';
import { assetsFolderOf } from '../../src/cassette/cassette-path';
import { readCassetteFile } from '../../src/cassette/cassette-file';
import { parseCassetteFile } from '../../src/cassette/cassette-file';
import { CassetteCorruptError } from '../../src/errors';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-assets-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const PROMPT = 'p'.repeat(5000);
const ANSWER = JSON.stringify({ text: 'x'.repeat(5000) });

function digestOf(content: string | Buffer): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

/** Writes a payload where the Python AgentTape would, and returns its reference (as its writer lays it out). */
function asset(cassette: string, content: string | Buffer, encoding = 'utf-8'): Record<string, unknown> {
  const digest = digestOf(content);
  const folder = assetsFolderOf(cassette);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, digest.replace('sha256:', 'sha256-')), content);
  return { __agenttape_asset__: digest, encoding, size: content.length, preview: String(content).slice(0, 64) };
}

const yamlRef = (ref: Record<string, unknown>, indent: string): string =>
  Object.entries(ref)
    .map(([key, value]) => `${indent}${key}: ${typeof value === 'number' ? value : `'${String(value)}'`}`)
    .join('\n');

/** A cassette in the Python writer's layout, with a long prompt and a long answer kept as assets. */
function pythonCassette(file: string, filler = 0): string {
  const prompt = asset(file, PROMPT);
  const answer = asset(file, ANSWER);
  const wire = asset(file, Buffer.from(ANSWER).toString('base64'));
  const padding = Array.from(
    { length: filler },
    (_, i) => `  - index: ${i + 1}\n    kind: http\n    boundary: 'http://127.0.0.1:8080'\n    request:\n      method: GET\n      url: 'http://127.0.0.1:8080/pad/${i}'\n    response:\n      status_code: 204\n`,
  ).join('');
  const text = `version: '1'
created_at: '2026-12-04T16:42:31.984609'
run_id: 4149ee62-f8db-4fd4-b8fa-2ee86ce8fe5f
meta:
  agenttape_version: 0.0.0+dev
  mode: record
interactions:
  - index: 0
    kind: http
    boundary: 'http://127.0.0.1:8080'
    request:
      method: POST
      url: 'http://127.0.0.1:8080/bigprompt'
      headers:
        Content-Type: application/json
      json:
        prompt:
${yamlRef(prompt, '          ')}
    response:
      status_code: 200
      headers:
        content-type: application/json
      reason: OK
      text:
${yamlRef(answer, '        ')}
      raw_b64:
${yamlRef(wire, '        ')}
${padding}`;
  fs.writeFileSync(file, text);
  return text;
}

describe('assets kept beside a Python-written cassette', () => {
  test('a small YAML cassette reads with its payloads in place', () => {
    const file = path.join(dir, 'small.yaml');
    pythonCassette(file);
    const doc = parseCassetteFile(fs.readFileSync(file, 'utf8'), file);
    const [big] = doc.interactions;
    expect(big.request.json).toEqual({ prompt: PROMPT });
    expect(big.response).toMatchObject({ text: ANSWER, raw_b64: Buffer.from(ANSWER).toString('base64') });
  });

  test('a large YAML cassette, read with its requests parsed on first read and then from the parse cache, has them too', () => {
    const file = path.join(dir, 'large.yaml');
    pythonCassette(file, 800);
    expect(fs.statSync(file).size).toBeGreaterThan(64 * 1024);
    const cacheDir = path.join(dir, 'cache');
    const first = readCassetteFile(file, { cacheDir })!;
    expect(readCassetteFile(file)).toEqual(first); // read a line at a time
    expect(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.jsonl'))).toHaveLength(1);
    const cached = readCassetteFile(file, { cacheDir })!;
    for (const doc of [first, cached]) {
      expect(doc.interactions).toHaveLength(801);
      expect(doc.interactions[0].request.json).toEqual({ prompt: PROMPT });
      expect(doc.interactions[0].response).toMatchObject({ text: ANSWER });
    }
  });

  test('a JSON cassette has them too', () => {
    const file = path.join(dir, 'json.json');
    const prompt = asset(file, PROMPT);
    const doc = { version: '1', meta: {}, interactions: [{ index: 0, kind: 'http', boundary: 'http://h', request: { method: 'POST', url: 'http://h/x', json: { prompt } }, response: { status_code: 204 } }] };
    fs.writeFileSync(file, JSON.stringify(doc));
    expect(readCassetteFile(file)!.interactions[0].request.json).toEqual({ prompt: PROMPT });
  });

  test('a missing payload is a CassetteCorruptError naming the file, the field, its line and the folder', () => {
    const file = path.join(dir, 'missing.yaml');
    pythonCassette(file);
    fs.rmSync(assetsFolderOf(file), { recursive: true });
    const read = () => readCassetteFile(file);
    expect(read).toThrow(CassetteCorruptError);
    expect(read).toThrow(`Cassette ${file} is corrupt: field "interactions[0].request.json.prompt" (line 18) refers to asset ${digestOf(PROMPT)}, which is missing from ${path.join(dir, 'missing.assets')}`);
  });

  test('a reference that is not a sha256 digest cannot name a file outside the folder', () => {
    const outside = path.join(dir, 'secret.txt');
    fs.writeFileSync(outside, 'not for the cassette');
    expect(() => inlineAssets({ interactions: [{ request: { __agenttape_asset__: '../secret.txt' } }] }, path.join(dir, 'x.yaml'))).toThrow(
      'field "interactions[0].request" refers to asset "../secret.txt", which is not a sha256 digest',
    );
  });

  test('bytes (encoding base64) come back as this library stores bytes; an unknown encoding is refused', () => {
    const file = path.join(dir, 'bytes.yaml');
    const bytes = Buffer.from([0, 1, 2, 255]);
    expect(inlineAssets({ value: asset(file, bytes, 'base64') }, file)).toEqual({ value: { $type: 'Buffer', base64: bytes.toString('base64') } });
    expect(() => inlineAssets({ value: asset(file, bytes, 'latin-1') }, file)).toThrow('has asset encoding "latin-1" (expected utf-8 or base64)');
  });

  test('assetsFolderOf: beside the cassette, its name without the extension', () => {
    expect(assetsFolderOf(path.join('cassettes', 'a.test.js', 'works.yaml'))).toBe(path.join('cassettes', 'a.test.js', 'works.assets'));
    expect(assetsFolderOf('out.json')).toBe('out.assets');
  });
});
