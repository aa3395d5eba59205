/**
 * The JSON form of the cassette format: the same document, the same key
 * order, parsed by the same validation as YAML.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCassetteFile, writeCassetteFile } from '../../src/cassette/cassette-file';
import { parseCassetteJson, serializeCassetteJson } from '../../src/cassette/cassette-json';
import { formatOfFile } from '../../src/cassette/cassette-path';
import { parseCassette, serializeCassette } from '../../src/cassette/cassette-yaml';
import { loadConfig } from '../../src/config/config';
import { CassetteCorruptError, ConfigError, SchemaVersionError } from '../../src/errors';
import { cassetteOf, llmInteraction, toolInteraction, weatherInteraction } from '../support/sample-cassettes';

const doc = cassetteOf('works', [llmInteraction(0), { ...toolInteraction(1), response: undefined, error: { type: 'TimeoutError', message: 'gateway timed out' } }, weatherInteraction(2)]);

test('round trip: parse(serialize(x)) equals x, and re-serializing gives identical bytes', () => {
  const text = serializeCassetteJson(doc);
  expect(text.endsWith('}\n')).toBe(true);
  const parsed = parseCassetteJson(text, 'a.json');
  expect(parsed).toEqual(parseCassette(serializeCassette(doc), 'a.yaml'));
  expect(serializeCassetteJson(parsed)).toBe(text);
});

test('keys are in the same order as the YAML form', () => {
  const data = JSON.parse(serializeCassetteJson(doc));
  expect(Object.keys(data)).toEqual(['version', 'created_at', 'run_id', 'meta', 'interactions']);
  expect(Object.keys(data.interactions[1])).toEqual(['index', 'kind', 'boundary', 'request', 'error', 'match_key', 'latency_ms', 'usage', 'tags', 'metadata']);
});

test('invalid JSON is a CassetteCorruptError naming the file and line; a wrong field or version is caught as in YAML', () => {
  expect(() => parseCassetteJson('{\n  "version": "1",\n  "interactions": [\n}', 'cassettes/a.json')).toThrow(CassetteCorruptError);
  expect(() => parseCassetteJson('{\n  "version": "1",\n  "interactions": [\n}', 'cassettes/a.json')).toThrow(/Cassette cassettes\/a\.json is not valid JSON \(line 4\)/);
  expect(() => parseCassetteJson('{"version": "1", "interactions": [{"kind": "x", "request": {}, "response": 1}]}', 'a.json')).toThrow(/field "interactions\[0\]\.kind"/);
  expect(() => parseCassetteJson('{"version": "2", "interactions": []}', 'a.json')).toThrow(SchemaVersionError);
});

test('files are read and written in the format their extension names', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-json-'));
  try {
    writeCassetteFile(path.join(folder, 'a.json'), doc);
    writeCassetteFile(path.join(folder, 'a.yaml'), doc);
    expect(fs.readFileSync(path.join(folder, 'a.json'), 'utf8')).toBe(serializeCassetteJson(doc));
    expect(fs.readFileSync(path.join(folder, 'a.yaml'), 'utf8')).toBe(serializeCassette(doc));
    expect(readCassetteFile(path.join(folder, 'a.json'))).toEqual(readCassetteFile(path.join(folder, 'a.yaml')));
    expect(formatOfFile('x/Y.JSON')).toBe('json');
    expect(formatOfFile('x/y.yml')).toBe('yaml');
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});

test('the "format" configuration key accepts yaml and json and names the valid formats otherwise', () => {
  expect(loadConfig('/p').format).toBe('yaml');
  expect(loadConfig('/p', { format: 'json' }).format).toBe('json');
  expect(() => loadConfig('/p', { format: 'toml' })).toThrow(ConfigError);
  expect(() => loadConfig('/p', { format: 'toml' })).toThrow('Invalid value for "format" in testEnvironmentOptions.agenttape: "toml". Valid formats: yaml, json.');
});
