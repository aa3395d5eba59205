/**
 * Boundaries and partial replay through the engine, in-process under
 * `useCassette` (cassettes in a temporary folder).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { memoryRead, memoryWrite, retrieval, tool } from '../../src/session/boundary-wrappers';
import { recordCall } from '../../src/session/record-call';
import { parseCassette } from '../../src/cassette/cassette-yaml';
import { ConfigError, UnmatchedInteractionError } from '../../src/errors';
import { useCassette } from '../../src/use-cassette';
import OpenAI from 'openai';
import { startFakeProvider } from '../support/fake-provider';
const { OPENAI_RECORDING_KEY } = require('../fixtures/secrets/fake-keys.js') as Record<string, string>;

// useCassette applies the CI rule from the CI variable; these tests record, so they run as on a
// developer's machine. CI itself sets CI=true: one test below sets it to show the rule holds.
const ciBefore = process.env.CI;
beforeEach(() => {
  delete process.env.CI;
});
afterEach(() => {
  if (ciBefore === undefined) delete process.env.CI;
  else process.env.CI = ciBefore;
});

describe('boundaries under useCassette', () => {
  let dir: string;
  const read = (name: string) => parseCassette(fs.readFileSync(path.join(dir, `${name}.yaml`), 'utf8'), name);
  const options = (extra: object = {}) => ({ rootDir: dir, cassetteDir: '.', ...extra });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-boundaries-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('with CI set, a recording mode from the options is refused and the tool never runs', async () => {
    process.env.CI = 'true';
    let runs = 0;
    const charge = tool('charge', async (cents: number) => ++runs + cents);
    await expect(useCassette('ci', options({ mode: 'record' }), () => charge(5))).rejects.toThrow(/not recorded: the script runs in CI \(the CI variable\)[\s\S]*To record, run: AGENTTAPE_MODE=record node /);
    expect(runs).toBe(0);
    expect(fs.existsSync(path.join(dir, 'ci.yaml'))).toBe(false);
  });

  test('outside any cassette the wrappers call straight through', async () => {
    let runs = 0;
    const charge = tool('charge', (cents: number) => ++runs + cents);
    expect(charge(10)).toBe(11);
    expect(await recordCall('tool', { name: 'x', args: [] }, async () => 'direct')).toBe('direct');
    expect(runs).toBe(1);
  });

  test('the four kinds, usage and tags are recorded; a nested boundary is not recorded again', async () => {
    const store = new Map<string, string>();
    const remember = memoryWrite('remember', (key: string, value: string) => void store.set(key, value));
    const recall = memoryRead('recall', (key: string) => store.get(key));
    const search = retrieval('search', async (q: string) => [`doc about ${q}`]);
    const answer = tool(
      'answer',
      async (q: string) => {
        const docs = await search(q);
        return { text: docs[0], tokens: 7 };
      },
      { usage: (result) => ({ total_tokens: result.tokens }), tags: ['agent'] },
    );
    await useCassette('kinds', options({ mode: 'record' }), async () => {
      remember('city', 'London');
      expect(recall('city')).toBe('London');
      expect(await answer('rain')).toEqual({ text: 'doc about rain', tokens: 7 });
    });
    const doc = read('kinds');
    expect(doc.interactions.map((i) => `${i.kind}:${i.boundary}`)).toEqual(['memory_write:remember', 'memory_read:recall', 'tool:answer']);
    expect(doc.interactions[1].request).toEqual({ name: 'recall', args: ['city'] });
    expect(doc.interactions[0].response).toEqual({ $type: 'undefined' });
    expect(doc.interactions[2].usage).toEqual({ total_tokens: 7 });
    expect(doc.interactions[2].tags).toEqual(['agent']);

    store.clear();
    const replayed = await useCassette('kinds', options(), async () => {
      remember('city', 'London');
      const sync = recall('city');
      return { sync, answer: await answer('rain') };
    });
    expect(replayed).toEqual({ sync: 'London', answer: { text: 'doc about rain', tokens: 7 } });
    expect(store.size).toBe(0);
  });

  test('an async tool that rejected rejects again on replay, with the same class, name, message and fields, without running', async () => {
    let runs = 0;
    const charge = tool('charge', async (cents: number) => {
      runs++;
      const error = new TypeError(`amount must be positive, got ${cents}`) as TypeError & { code: string };
      error.code = 'invalid_amount';
      throw error;
    });
    const viaRecordCall = () =>
      recordCall('tool', { name: 'refund', args: [7] }, async () => {
        runs++;
        throw new RangeError('refund window closed');
      });
    const agent = async () => Promise.allSettled([charge(-5), viaRecordCall()]);
    const recorded = await useCassette('rejects', options({ mode: 'record' }), agent);
    expect(runs).toBe(2);
    const replayed = await useCassette('rejects', options(), agent);
    expect(runs).toBe(2);
    const [chargeError, refundError] = replayed.map((r) => (r as PromiseRejectedResult).reason);
    expect(chargeError).toBeInstanceOf(TypeError);
    expect([chargeError.name, chargeError.message, chargeError.code]).toEqual(['TypeError', 'amount must be positive, got -5', 'invalid_amount']);
    expect(refundError).toBeInstanceOf(RangeError);
    expect(refundError.message).toBe('refund window closed');
    expect(replayed.map((r) => r.status)).toEqual(recorded.map((r) => r.status));
    expect(read('rejects').interactions.map((i) => [i.boundary, i.error?.type, i.metadata.async])).toEqual([
      ['charge', 'TypeError', true],
      ['refund', 'RangeError', true],
    ]);
  });

  test('frozen in `all` mode: the frozen tool is served and kept, the others run again', async () => {
    const runs = { charge: 0, quote: 0 };
    const charge = tool('charge', async (cents: number) => ({ id: `ch_${++runs.charge}`, cents }));
    const quote = tool('quote', (item: string) => ({ item, cents: 100 + ++runs.quote }));
    const agent = async () => [quote('book'), await charge(101)];
    await useCassette('frozen', options({ mode: 'record' }), agent);
    expect(runs).toEqual({ charge: 1, quote: 1 });

    const result = await useCassette('frozen', options({ mode: 'all', frozen: ['charge'] }), agent);
    expect(runs).toEqual({ charge: 1, quote: 2 });
    expect(result).toEqual([
      { item: 'book', cents: 102 },
      { id: 'ch_1', cents: 101 },
    ]);
    const doc = read('frozen');
    expect(doc.interactions.map((i) => [i.index, i.boundary])).toEqual([
      [0, 'quote'],
      [1, 'charge'],
    ]);
    expect(doc.interactions[1].response).toEqual({ id: 'ch_1', cents: 101 });

    const miss = useCassette('frozen', options({ mode: 'all', frozen: ['tool'] }), () => charge(999));
    await expect(miss).rejects.toThrow(UnmatchedInteractionError);
    await expect(miss).rejects.toThrow(/Boundary: tool charge[\s\S]*args\[0\]: expected 101, received 999/);
    // The advice names the frozen token and what to do, not the generic re-record list.
    await expect(miss).rejects.toThrow(/charge is frozen \(by "tool" in "frozen"\): it is served from the cassette and never runs, even in mode all/);
    await expect(miss).rejects.toThrow(/take "tool" out of "frozen"/);
    await expect(miss).rejects.not.toThrow(/new_episodes/);
    expect(runs.charge).toBe(1);
  });

  test('live in `none` mode writes the derived cassette and leaves the original untouched', async () => {
    let price = 100;
    const quote = tool('quote', () => ({ cents: price }));
    const log = tool('log', () => 'logged');
    await useCassette('live', options({ mode: 'record' }), () => [quote(), log()]);
    const original = fs.readFileSync(path.join(dir, 'live.yaml'), 'utf8');
    price = 250;
    const result = await useCassette('live', options({ live: ['quote'] }), () => [quote(), log()]);
    expect(result).toEqual([{ cents: 250 }, 'logged']);
    expect(fs.readFileSync(path.join(dir, 'live.yaml'), 'utf8')).toBe(original);
    const derived = read('live.derived');
    expect(derived.interactions.map((i) => [i.index, i.boundary, i.response])).toEqual([
      [0, 'quote', { cents: 250 }],
      [1, 'log', 'logged'],
    ]);
    expect(derived.meta.live).toEqual(['quote']);
  });

  test('live and frozen together are a ConfigError naming both', async () => {
    await expect(useCassette('both', options({ live: ['llm'], frozen: ['tool'] }), () => 1)).rejects.toThrow(ConfigError);
    await expect(useCassette('both', options({ live: ['llm'], frozen: ['tool'] }), () => 1)).rejects.toThrow(/Both "live" and "frozen" are set/);
  });

  test('a swallowed miss still fails the cassette run', async () => {
    const lookup = tool('lookup', (id: number) => id);
    await useCassette('swallowed', options({ mode: 'record' }), () => lookup(1));
    const run = useCassette('swallowed', options(), () => {
      try {
        lookup(2);
      } catch {
        return 'caught';
      }
      return 'not reached';
    });
    await expect(run).rejects.toThrow(UnmatchedInteractionError);
  });
});

describe('one timeline', () => {
  test('concurrent boundaries keep the order they started in, when recording and on replay', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-timeline-'));
    try {
      const slow = tool('slow', () => new Promise((resolve) => setTimeout(() => resolve('slow done'), 30)));
      const fast = tool('fast', async () => 'fast done');
      const agent = () => Promise.all([slow(), fast()]);
      await useCassette('parallel', { rootDir: dir, cassetteDir: '.', mode: 'record' }, agent);
      const doc = parseCassette(fs.readFileSync(path.join(dir, 'parallel.yaml'), 'utf8'), 'parallel.yaml');
      expect(doc.interactions.map((i) => [i.index, i.boundary, i.response])).toEqual([
        [0, 'slow', 'slow done'],
        [1, 'fast', 'fast done'],
      ]);
      expect(doc.interactions[0].latency_ms).toBeGreaterThan(doc.interactions[1].latency_ms!);
      expect(await useCassette('parallel', { rootDir: dir, cassetteDir: '.' }, agent)).toEqual(['slow done', 'fast done']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('provider keys under useCassette', () => {
  test('in replay an OpenAI client built inside the function constructs without OPENAI_API_KEY; the key is unset again after', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-keys-'));
    const provider = await startFakeProvider();
    const keyBefore = process.env.OPENAI_API_KEY;
    const ask = () => new OpenAI({ baseURL: `${provider.url}/v1` }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    try {
      process.env.OPENAI_API_KEY = OPENAI_RECORDING_KEY;
      const recorded = await useCassette('keys', { rootDir: dir, cassetteDir: '.', mode: 'record' }, ask);
      delete process.env.OPENAI_API_KEY;
      await provider.close();
      // Outside a cassette, the SDK refuses to construct without a key.
      expect(() => new OpenAI({ baseURL: `${provider.url}/v1` })).toThrow(/OPENAI_API_KEY/);
      const replayed = await useCassette('keys', { rootDir: dir, cassetteDir: '.' }, ask);
      expect(replayed.choices[0].message.content).toBe(recorded.choices[0].message.content);
      expect(process.env.OPENAI_API_KEY).toBeUndefined();
      expect(fs.readFileSync(path.join(dir, 'keys.yaml'), 'utf8')).not.toContain(OPENAI_RECORDING_KEY);
    } finally {
      if (keyBefore === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = keyBefore;
      await provider.close().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('freeze under useCassette', () => {
  test('the clock, UUIDs and Math.random inside the function replay the recorded values; outside it they are real', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-freeze-'));
    const step = tool('step', () => 'done');
    const observe = async () => {
      await new Promise((resolve) => setTimeout(resolve, 20)); // timers stay real
      return { step: step(), now: Date.now(), date: new Date().toISOString(), uuid: crypto.randomUUID(), random: Math.random() };
    };
    try {
      const recorded = await useCassette('frozen', { rootDir: dir, cassetteDir: '.', mode: 'record' }, observe);
      const meta = parseCassette(fs.readFileSync(path.join(dir, 'frozen.yaml'), 'utf8'), 'frozen.yaml').meta.freeze as Record<string, unknown>;
      expect(meta).toMatchObject({ base_time: recorded.now / 1000 });
      expect(meta.uuids).toEqual([recorded.uuid]);
      await new Promise((resolve) => setTimeout(resolve, 30));
      const replayed = await useCassette('frozen', { rootDir: dir, cassetteDir: '.' }, observe);
      expect(replayed).toEqual(recorded);
      // Put back afterwards: the real clock has moved on, UUIDs and random values are fresh.
      expect(Date.now()).toBeGreaterThan(recorded.now + 40);
      expect(crypto.randomUUID()).not.toBe(recorded.uuid);
      expect(new Date().toISOString()).not.toBe(recorded.date);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
