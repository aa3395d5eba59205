import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCacheFolder } from '../../src/cassette/cassette-file';
import { parseCassette, serializeCassette } from '../../src/cassette/cassette-yaml';
import { loadConfig } from '../../src/config/config';
import { CassetteState } from '../../src/engine/cassette-state';
import { Redactor } from '../../src/redact/redactor';
import type { Tape } from '../../src/engine/tape';
import { CassetteCorruptError, SchemaVersionError } from '../../src/errors';

let project: string;
beforeEach(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-state-'));
});
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

const location = () => ({ cassetteDir: path.join(project, 'cassettes'), rootDir: project, testPath: path.join(project, 'src', 'a.test.ts') });
const state = (inputs: { env?: 'none' | 'once' | 'new_episodes' | 'all' | 'record'; ci?: boolean } = {}) => {
  const config = loadConfig(project);
  return new CassetteState(location(), config, { ci: false, ...inputs }, new Redactor(config.redact));
};
const file = (name: string) => path.join(project, 'cassettes', 'src', 'a.test.ts', `${name}.yaml`);

function record(tape: Tape, url: string): void {
  tape.record({ kind: 'http', boundary: 'api.x.com', request: { method: 'GET', url }, response: { status_code: 200, text: 'ok' }, match_key: 'sha256:x', latency_ms: 1, usage: null, tags: [], metadata: {} });
}

describe('CassetteState', () => {
  test('writes only tapes that recorded something, in a recording mode, at save()', () => {
    const s = state({ env: 'record' });
    record(s.openTest('writes'), 'https://api.x.com/a');
    s.openTest('records nothing');
    expect(fs.existsSync(file('writes'))).toBe(false);
    expect(s.save(new Date('2030-01-01T00:00:00Z')).written).toEqual([file('writes')]);
    const written = parseCassette(fs.readFileSync(file('writes'), 'utf8'), 'x');
    expect(written.meta).toMatchObject({ mode: 'record', test_file: path.join('src', 'a.test.ts'), test_name: 'writes' });
    expect(written.created_at).toBe('2030-01-01T00:00:00.000Z');
    expect(fs.existsSync(file('records nothing'))).toBe(false);
  });

  test('a large cassette read for replay writes its parse cache at save(), not at open', () => {
    const big = Array.from({ length: 40 }, (_, index) => ({
      index,
      kind: 'http',
      boundary: 'api.x.com',
      request: { method: 'GET', url: `https://api.x.com/${index}` },
      response: { status_code: 200, text: 'x'.repeat(2000) },
    }));
    fs.mkdirSync(path.dirname(file('big')), { recursive: true });
    fs.writeFileSync(
      file('big'),
      serializeCassette({ version: '1', created_at: '', run_id: '', meta: {}, interactions: big.map((x) => ({ ...x, kind: 'http' as const, match_key: '', latency_ms: 1, usage: null, tags: [], metadata: {} })) }),
    );
    const s = state();
    expect(s.openTest('big').recordings).toHaveLength(40);
    const entries = () => (fs.existsSync(parseCacheFolder(project)) ? fs.readdirSync(parseCacheFolder(project)).filter((name) => name.endsWith('.jsonl')) : []);
    expect(entries()).toEqual([]);
    s.save();
    expect(entries()).toHaveLength(1);
  });

  test('a large cassette found damaged when saving is left as it is; the other cassettes are still written', () => {
    const big = Array.from({ length: 40 }, (_, index) => ({
      index,
      kind: 'http' as const,
      boundary: 'api.x.com',
      request: { method: 'GET', url: `https://api.x.com/${index}` },
      response: { status_code: 200, text: 'x'.repeat(2000) },
      match_key: '',
      latency_ms: 1,
      usage: null,
      tags: [],
      metadata: {},
    }));
    fs.mkdirSync(path.dirname(file('big')), { recursive: true });
    const damaged = serializeCassette({ version: '1', created_at: '', run_id: '', meta: {}, interactions: big }).replace('status_code: 200', 'status_code: [200');
    fs.writeFileSync(file('big'), damaged);
    const s = state({ env: 'new_episodes' });
    record(s.openTest('big'), 'https://api.x.com/new');
    record(s.openTest('other'), 'https://api.x.com/other');
    expect(() => s.save()).toThrow(CassetteCorruptError);
    expect(fs.readFileSync(file('big'), 'utf8')).toBe(damaged);
    expect(fs.existsSync(file('other'))).toBe(true);
  });

  test('none never writes the cassette itself: what ran for real goes to <name>.derived.yaml beside it', () => {
    const s = state();
    record(s.openTest('t'), 'https://api.x.com/a');
    expect(s.save().written).toEqual([path.join(path.dirname(file('t')), 't.derived.yaml')]);
    expect(fs.existsSync(file('t'))).toBe(false);
  });

  test('a retried test writes only its last attempt', () => {
    const s = state({ env: 'record' });
    record(s.openTest('flaky', 1), 'https://api.x.com/first-attempt');
    record(s.openTest('flaky', 1), 'https://api.x.com/second-attempt');
    s.save();
    const text = fs.readFileSync(file('flaky'), 'utf8');
    expect(text).toContain('second-attempt');
    expect(text).not.toContain('first-attempt');
  });

  test('a cassette of an unknown version fails its test at open, and is left untouched', () => {
    fs.mkdirSync(path.dirname(file('t')), { recursive: true });
    fs.writeFileSync(file('t'), "version: '2'\ninteractions: []\n");
    const s = state({ env: 'new_episodes' });
    const tape = s.openTest('t');
    expect(tape.failures).toHaveLength(1);
    expect(tape.failures[0]).toBeInstanceOf(SchemaVersionError);
    s.save();
    expect(fs.readFileSync(file('t'), 'utf8')).toBe("version: '2'\ninteractions: []\n");
  });

  test('a per-test mode is resolved with the CI rule', () => {
    const s = state({ ci: true });
    const tape = s.openTest('t');
    s.setTestMode(tape, 'all');
    expect(tape.mode).toEqual({ mode: 'none', source: 'default', refusedInCi: { mode: 'all', source: 'test' } });
    s.setTestMode(tape, undefined);
    expect(tape.mode).toEqual({ mode: 'none', source: 'default' });
  });

  test('settle() waits for recordings still in flight, so save() writes them', async () => {
    const s = state({ env: 'record' });
    const tape = s.openTest('slow body');
    const step = tape.startStep({ awaited: true });
    const settled = s.settle();
    expect(tape.dirty).toBe(false);
    step.finish(() => ({
      kind: 'http',
      boundary: 'api.x.com',
      request: { method: 'GET', url: 'https://api.x.com/late' },
      response: { status_code: 200, text: 'ok' },
      match_key: 'sha256:x',
      latency_ms: 1,
      usage: null,
      tags: [],
      metadata: {},
    }));
    await settled;
    expect(s.save().written).toEqual([file('slow body')]);
    expect(fs.readFileSync(file('slow body'), 'utf8')).toContain('/late');
  });

  test('settle() does not wait for a step that is not awaited (a tool call that never returns)', async () => {
    const s = state({ env: 'record' });
    s.openTest('hung tool').startStep({ awaited: false });
    await s.settle();
    expect(s.save().written).toEqual([]);
  });
});
