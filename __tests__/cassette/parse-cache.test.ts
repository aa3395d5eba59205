/**
 * The parse cache of large YAML cassettes: used when the text is unchanged,
 * bypassed when it changed, ignored when damaged; the cassette is never written.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCassetteFile } from '../../src/cassette/cassette-file';
import { EVENT_DATA_TEXT, UNPARSED_EVENTS } from '../../src/cassette/cached-events';
import type { CassetteDocument } from '../../src/cassette/cassette-schema';
import { serializeCassette } from '../../src/cassette/cassette-yaml';
import { toWireResponse } from '../../src/http/http-exchange';
import { serializeSseEntry, type SseEntry } from '../../src/http/sse-events';
import { CassetteCorruptError } from '../../src/errors';

function bigCassette(answer: string): CassetteDocument {
  return {
    version: '1',
    created_at: '2026-11-25T00:00:00.000Z',
    run_id: 'r',
    meta: {},
    interactions: Array.from({ length: 40 }, (_, index) => ({
      index,
      kind: 'http' as const,
      boundary: 'api.test',
      request: { method: 'POST', url: `http://api.test/${index}`, headers: {}, json: { q: index } },
      response: { status_code: 200, headers: {}, json: { answer, padding: 'p'.repeat(2000) } },
      match_key: '',
      latency_ms: 1,
      usage: null,
      tags: [],
      metadata: {},
    })),
  };
}

describe('parse cache', () => {
  let dir: string;
  let cacheDir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-cache-'));
    cacheDir = path.join(dir, 'cache');
    file = path.join(dir, 'big.yaml');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a large cassette is cached under the hash of its text and served from the cache after', () => {
    const text = serializeCassette(bigCassette('rainy'));
    expect(text.length).toBeGreaterThan(64 * 1024);
    fs.writeFileSync(file, text);
    const first = readCassetteFile(file, { cacheDir })!;
    const entry = path.join(cacheDir, `${createHash('sha256').update(text).digest('hex')}.v2.jsonl`);
    // The root fields on the first line, then one interaction per line, its response after a tab (J: plain JSON).
    const fromLine = (line: string) => {
      const [rest, response] = line.split('\t');
      if (response !== undefined) expect(response[0]).toBe('J');
      return { ...(JSON.parse(rest) as Record<string, unknown>), ...(response === undefined ? {} : { response: JSON.parse(response.slice(1)) as unknown }) };
    };
    const [root, ...interactions] = fs.readFileSync(entry, 'utf8').trimEnd().split('\n').map(fromLine);
    expect({ ...root, interactions }).toEqual(first);
    expect(interactions).toHaveLength(40);
    // Prove the second read comes from the cache: give the entry a different answer.
    const altered = interactions as unknown as CassetteDocument['interactions'];
    (altered[0].response as { json: { answer: string } }).json.answer = 'from the cache';
    fs.writeFileSync(entry, [root, ...altered].map((x) => JSON.stringify(x)).join('\n') + '\n'); // responses inline: also read
    expect((readCassetteFile(file, { cacheDir })!.interactions[0].response as { json: { answer: string } }).json.answer).toBe('from the cache');
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  test('an edited cassette is parsed afresh; a damaged entry is ignored', () => {
    fs.writeFileSync(file, serializeCassette(bigCassette('rainy')));
    readCassetteFile(file, { cacheDir });
    fs.writeFileSync(file, serializeCassette(bigCassette('sunny')));
    expect((readCassetteFile(file, { cacheDir })!.interactions[0].response as { json: { answer: string } }).json.answer).toBe('sunny');
    for (const entry of fs.readdirSync(cacheDir)) fs.writeFileSync(path.join(cacheDir, entry), '{ truncated');
    expect((readCassetteFile(file, { cacheDir })!.interactions[0].response as { json: { answer: string } }).json.answer).toBe('sunny');
  });

  test('writing an entry removes (once a day) entries unused for 30 days and files of earlier cache layouts; a used entry is kept', () => {
    fs.writeFileSync(file, serializeCassette(bigCassette('rainy')));
    readCassetteFile(file, { cacheDir });
    const [used] = fs.readdirSync(cacheDir).filter((n) => n.endsWith('.v2.jsonl'));
    const longAgo = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000);
    fs.utimesSync(path.join(cacheDir, used), longAgo, longAgo);
    readCassetteFile(file, { cacheDir }); // a cache hit dates the entry's use
    fs.writeFileSync(path.join(cacheDir, 'stale.v2.jsonl'), '{}\n');
    fs.utimesSync(path.join(cacheDir, 'stale.v2.jsonl'), longAgo, longAgo);
    fs.writeFileSync(path.join(cacheDir, `${'1'.repeat(64)}.jsonl`), '{}\n'); // an earlier layout
    fs.writeFileSync(path.join(cacheDir, `${'0'.repeat(64)}.json`), '{}');
    fs.writeFileSync(path.join(dir, 'other.yaml'), serializeCassette(bigCassette('sunny')));
    fs.utimesSync(path.join(cacheDir, '.last-pruned'), longAgo, longAgo); // swept at most once a day
    readCassetteFile(path.join(dir, 'other.yaml'), { cacheDir }); // a miss writes an entry, then prunes
    const left = fs
      .readdirSync(cacheDir)
      .filter((name) => !name.startsWith('.'))
      .sort();
    expect(left).toHaveLength(2);
    expect(left).toContain(used);
    expect(left.every((name) => name.endsWith('.v2.jsonl') && name !== 'stale.v2.jsonl')).toBe(true);
  });

  test('a cached response is parsed when first read; a damaged one is a CassetteCorruptError naming the cache file', () => {
    fs.writeFileSync(file, serializeCassette(bigCassette('rainy')));
    readCassetteFile(file, { cacheDir });
    const [name] = fs.readdirSync(cacheDir).filter((n) => n.endsWith('.v2.jsonl'));
    const entry = path.join(cacheDir, name);
    const cached = readCassetteFile(file, { cacheDir })!;
    expect(Object.getOwnPropertyDescriptor(cached.interactions[3], 'response')).toHaveProperty('get', expect.any(Function));
    expect((cached.interactions[3].response as { json: { answer: string } }).json.answer).toBe('rainy');
    // Once read, it is a plain value that can be replaced.
    expect(Object.getOwnPropertyDescriptor(cached.interactions[3], 'response')!.value).toBe(cached.interactions[3].response);
    fs.writeFileSync(entry, fs.readFileSync(entry, 'utf8').replace('\tJ{"status_code"', '\tJ{"status_code'));
    const damaged = readCassetteFile(file, { cacheDir })!;
    expect(() => damaged.interactions[0].response).toThrow(CassetteCorruptError);
    expect(() => damaged.interactions[0].response).toThrow(`The parsed copy of cassette ${file} in ${entry} is damaged`);
  });

  test('stored server-sent events keep their data as text in the cache: replayed bytes are the same, data parses on first read', () => {
    const events = Array.from({ length: 300 }, (_, i) => ({ ...(i === 0 ? { delay_ms: 2 } : {}), event: 'delta', data: { i, text: `part ${i} ${'x'.repeat(200)}`, nested: [1, { a: null }] } }));
    const streamed: CassetteDocument = {
      ...bigCassette('rainy'),
      interactions: [
        {
          index: 0,
          kind: 'llm',
          boundary: 'llm',
          match_key: '',
          latency_ms: 1,
          usage: null,
          tags: [],
          metadata: {},
          request: { method: 'POST', url: 'http://api.test/stream', headers: {}, json: { stream: true } },
          response: { status_code: 200, headers: { 'content-type': 'text/event-stream' }, sse: [...events, { data: '[DONE]' }] },
        },
      ],
    };
    fs.writeFileSync(file, serializeCassette(streamed));
    const parsed = readCassetteFile(file, { cacheDir })!;
    const cached = readCassetteFile(file, { cacheDir })!;
    const wire = (doc: CassetteDocument) => toWireResponse(doc.interactions[0].response).chunks!.map((c) => [c.delayMs, c.bytes.toString('utf8')]);
    const response = cached.interactions[0].response as { sse: Record<string, unknown>[]; [UNPARSED_EVENTS]?: Record<string, unknown>[] };
    expect(response[UNPARSED_EVENTS]![5][EVENT_DATA_TEXT]).toBe(JSON.stringify(events[5].data));
    expect(wire(cached)).toEqual(wire(parsed));
    expect(response[UNPARSED_EVENTS]).toBeDefined(); // replay did not parse the events
    expect(Object.keys(response.sse[0])).toEqual(['delay_ms', 'event', 'data']);
    expect(cached).toEqual(parsed);
    // Once read, the events are as stored and the unparsed form is gone, so a change is never hidden by it.
    expect(response[UNPARSED_EVENTS]).toBeUndefined();
    response.sse[6].data = { changed: true };
    expect(serializeSseEntry(response.sse[6] as SseEntry)).toBe('event: delta\ndata: {"changed":true}\n\n');
    expect(wire(cached)[0][1]).toContain('data: {"changed":true}\n\n');
  });

  test('a corrupt large cassette is still a CassetteCorruptError', () => {
    fs.writeFileSync(file, serializeCassette(bigCassette('rainy')).replace('kind: http', 'kind: teleport'));
    expect(() => readCassetteFile(file, { cacheDir })).toThrow(CassetteCorruptError);
  });
});
