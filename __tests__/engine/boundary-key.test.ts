/**
 * One boundary, two spellings: `host[:port]` (written here) and
 * `scheme://host[:port]` (the Python AgentTape's http adapter). Matching, the
 * closest-recording report, partial replay tokens, toMatchRecording's steps and
 * `agenttape diff` all compare boundaries through `boundaryKey`
 * (docs/python-interop.md).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CassetteDocument, Interaction } from '../../src/cassette/cassette-schema';
import type { Json } from '../../src/json';
import { loadConfig } from '../../src/config/config';
import { boundaryKey, sameBoundary } from '../../src/engine/boundary-key';
import { decide } from '../../src/engine/decide';
import { JEST_ADVICE } from '../../src/jest/jest-advice';
import { refusalError } from '../../src/report/miss-report';
import { MatchIndex } from '../../src/engine/match-index';
import { PartialReplay } from '../../src/engine/partial-replay';
import { Tape } from '../../src/engine/tape';
import { diffCassettes } from '../../src/tools/diff-cassettes';

const PROJECT = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-boundary-key-'));
afterAll(() => fs.rmSync(PROJECT, { recursive: true, force: true }));
const config = loadConfig(PROJECT);

describe('boundaryKey', () => {
  test.each([
    ['http://127.0.0.1:8080', '127.0.0.1:8080'],
    ['127.0.0.1:8080', '127.0.0.1:8080'],
    ['https://api.example.com', 'api.example.com'],
    ['http://api.example.com', 'api.example.com'],
    ['api.example.com', 'api.example.com'],
    // Default ports are dropped, as URL.host (the host our recorder writes) drops them.
    ['http://api.example.com:80', 'api.example.com'],
    ['https://api.example.com:443', 'api.example.com'],
    // A port that is not the scheme's default stays.
    ['http://api.example.com:443', 'api.example.com:443'],
    ['https://api.example.com:80', 'api.example.com:80'],
    ['https://api.example.com:8443', 'api.example.com:8443'],
    // Host names are case-insensitive.
    ['HTTPS://API.Example.COM', 'api.example.com'],
    ['API.Example.com:8080', 'api.example.com:8080'],
    // The Python adapter writes an IPv6 host without brackets; ours keeps URL.host's brackets.
    ['http://::1:8080', '[::1]:8080'],
    ['http://::1', '[::1]'],
    ['http://[::1]:8080', '[::1]:8080'],
    ['[::1]:8080', '[::1]:8080'],
    ['http://fe80::1', '[fe80::1]'],
    // A path written after the host is not part of the boundary.
    ['https://api.example.com/v1', 'api.example.com'],
  ])('http %s → %s', (boundary, key) => {
    expect(boundaryKey('http', boundary)).toBe(key);
  });

  test('the key is the same on every call (it is cached) and other kinds compare as written', () => {
    expect(boundaryKey('http', 'http://127.0.0.1:8080')).toBe(boundaryKey('http', 'http://127.0.0.1:8080'));
    expect(boundaryKey('tool', 'Charge_Card')).toBe('Charge_Card');
    expect(boundaryKey('llm', 'llm')).toBe('llm');
    // A tool named like a URL is still only equal to itself.
    expect(sameBoundary('tool', 'http://x.com', 'x.com')).toBe(false);
  });

  test('sameBoundary: either form, default ports, and different hosts or ports stay apart', () => {
    expect(sameBoundary('http', 'http://127.0.0.1:8080', '127.0.0.1:8080')).toBe(true);
    expect(sameBoundary('http', 'https://api.example.com:443', 'api.example.com')).toBe(true);
    expect(sameBoundary('http', 'http://api.example.com:80', 'https://api.example.com')).toBe(true);
    expect(sameBoundary('http', 'http://127.0.0.1:8080', '127.0.0.1:8081')).toBe(false);
    expect(sameBoundary('http', 'http://api.example.com', 'api.example.org')).toBe(false);
    expect(sameBoundary('http', 'http://api.example.com:443', 'api.example.com')).toBe(false);
  });
});

const GET = (url: string): { [key: string]: Json } => ({ method: 'GET', url });

function recorded(boundary: string, url: string, index = 0, kind: Interaction['kind'] = 'http'): Interaction {
  return { index, kind, boundary, request: GET(url), response: { status_code: 200, json: { index } }, match_key: '', latency_ms: 1, usage: null, tags: [], metadata: {} };
}

describe('matching a Python-written boundary', () => {
  test.each([['ignore_volatile'], ['exact'], ['ordered']] as const)('the %s matcher serves http://host:port recordings to host:port requests, and the reverse', (matcher) => {
    const cfg = { ...config, matchers: [matcher] };
    const python = new MatchIndex([recorded('http://127.0.0.1:8080', 'http://127.0.0.1:8080/a?x=1')], cfg);
    expect(python.take({ kind: 'http', boundary: '127.0.0.1:8080', request: GET('http://127.0.0.1:8080/a?x=1') })).toBe(0);
    const ours = new MatchIndex([recorded('127.0.0.1:8080', 'http://127.0.0.1:8080/a?x=1')], cfg);
    expect(ours.take({ kind: 'http', boundary: 'http://127.0.0.1:8080', request: GET('http://127.0.0.1:8080/a?x=1') })).toBe(0);
  });

  test('https on the default port: https://api.example.com and https://api.example.com:443 both serve api.example.com', () => {
    const index = new MatchIndex([recorded('https://api.example.com', 'https://api.example.com/v1'), recorded('https://api.example.com:443', 'https://api.example.com/v1', 1)], config);
    const request = { kind: 'http' as const, boundary: 'api.example.com', request: GET('https://api.example.com/v1') };
    expect([index.take(request), index.take(request), index.take(request)]).toEqual([0, 1, undefined]);
  });

  test('another port or another kind is another boundary', () => {
    const index = new MatchIndex([recorded('http://127.0.0.1:8080', 'http://127.0.0.1:8080/a')], config);
    expect(index.take({ kind: 'http', boundary: '127.0.0.1:8081', request: GET('http://127.0.0.1:8080/a') })).toBeUndefined();
    expect(index.take({ kind: 'llm', boundary: 'http://127.0.0.1:8080', request: GET('http://127.0.0.1:8080/a') })).toBeUndefined();
    expect(index.take({ kind: 'http', boundary: '127.0.0.1:8080', request: GET('http://127.0.0.1:8080/a') })).toBe(0);
  });
});

const owner = { testName: 'python', testFile: 'a.test.ts', cassettePath: '/p/cassettes/a.test.ts/python.yaml', fileScope: false };
const doc = (...interactions: Interaction[]): CassetteDocument => ({ version: '1', created_at: 't', run_id: 'r', meta: {}, interactions });

describe('the miss report and partial replay see one boundary', () => {
  test('the closest recording of a host:port request is found among http://host:port recordings', () => {
    const tape = new Tape(owner, doc(recorded('http://127.0.0.1:8080', 'http://127.0.0.1:8080/weather?city=London')), config, { mode: 'none', source: 'default' });
    const decision = decide(tape, { kind: 'http', boundary: '127.0.0.1:8080', request: GET('http://127.0.0.1:8080/weather?city=Paris') });
    if (decision.action !== 'refuse') throw new Error('expected a refusal');
    const { message } = refusalError(tape, decision.refusal, JEST_ADVICE);
    expect(message).toContain('Closest recording: interaction #0 (differs in 1 field(s))');
    expect(message).toContain("url: expected 'http://127.0.0.1:8080/weather?city=London', received 'http://127.0.0.1:8080/weather?city=Paris'");
  });

  test('a live or frozen host token covers the boundary in either form', () => {
    expect(new PartialReplay(['http://127.0.0.1:8080'], []).scopeOf('http', '127.0.0.1:8080')).toBe('live');
    expect(new PartialReplay(['127.0.0.1:8080'], []).scopeOf('http', 'http://127.0.0.1:8080')).toBe('live');
    expect(new PartialReplay([], ['https://api.example.com']).scopeOf('http', 'api.example.com')).toBe('frozen');
    expect(new PartialReplay([], ['https://api.example.com']).frozenBy('http', 'api.example.com')).toEqual(['https://api.example.com']);
    expect(new PartialReplay(['http://127.0.0.1:8080'], []).scopeOf('http', '127.0.0.1:8081')).toBe('default');
    expect(new PartialReplay(['http://charge_card'], []).scopeOf('tool', 'charge_card')).toBe('default');
  });

  test('in a recording mode, a frozen Python-written boundary is served from the file', () => {
    const tape = new Tape(owner, doc(recorded('http://127.0.0.1:8080', 'http://127.0.0.1:8080/a')), { ...config, frozen: ['127.0.0.1:8080'] }, { mode: 'all', source: 'env' });
    expect(decide(tape, { kind: 'http', boundary: '127.0.0.1:8080', request: GET('http://127.0.0.1:8080/a') }).action).toBe('replay');
  });
});

describe('agenttape diff pairs the two forms', () => {
  test('a derived cassette that wrote host:port pairs with the http://host:port original and shows no boundary change', () => {
    const original = doc(recorded('http://127.0.0.1:8080', 'http://127.0.0.1:8080/a'));
    const derived = doc({ ...recorded('127.0.0.1:8080', 'http://127.0.0.1:8080/a'), match_key: 'sha256:other' });
    expect(diffCassettes(original, derived)).toEqual({ added: [], removed: [], changed: [], unchanged: 1 });
  });
});
