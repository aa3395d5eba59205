'use strict';
/**
 * One variant of the per-request benchmark, in its own process (every variant
 * patches node:http and fetch differently). The parent drives it over IPC:
 * `setup`, then `round` messages interleaved with the other variants' rounds.
 *
 * A round sends requests one after another (as a test does) until it reaches
 * `maxRequests` or spends `budgetMs`, checks every reply against the fixture,
 * and reports the mean time per request. Recordings are consumed as a test
 * consumes them; when too few unused ones are left the variant re-opens its
 * cassette (outside the timed part).
 */
const { makeRecordings, shuffle, ORIGIN, PATH } = require('../lib/fixtures');
const { CLIENTS, httpPost } = require('../lib/clients');
const { startLoopback } = require('../lib/loopback');

const POLLY_URL = 'http://127.0.0.1:9/v1/items'; // Polly answers; nothing listens on port 9.

const variants = {
  async nock(ctx) {
    const nock = require('nock');
    if (!nock.isActive()) nock.activate();
    return {
      url: ORIGIN + PATH,
      reset() {
        nock.cleanAll();
        const scope = nock(ORIGIN);
        for (const r of ctx.recordings) scope.post(PATH, r.requestObj).reply(200, r.responseObj);
      },
      consumes: true,
    };
  },
  async agenttape(ctx) {
    const { AgentTapeSession } = require('../lib/agenttape');
    const session = new AgentTapeSession(ctx.dir);
    return {
      url: ORIGIN + PATH,
      reset() {
        session.open();
      },
      check() {
        if (session.failures.length) throw session.failures[0];
      },
      consumes: true,
    };
  },
  async polly(ctx) {
    const polly = startPolly(ctx, 'replay');
    return { url: POLLY_URL, reset() {}, consumes: false, close: () => polly.stop() };
  },
  async loopback(ctx) {
    const responses = new Map(ctx.recordings.map((r) => [r.requestText, r.responseText]));
    const server = await startLoopback(responses);
    return { url: server.origin + PATH, reset() {}, consumes: false, close: server.close };
  },
};

function startPolly(ctx, mode) {
  const { Polly } = require('@pollyjs/core');
  Polly.register(require('@pollyjs/adapter-node-http'));
  Polly.register(require('@pollyjs/adapter-fetch'));
  Polly.register(require('@pollyjs/persister-fs'));
  return new Polly(`bench-${ctx.size}`, {
    adapters: mode === 'record' ? ['node-http'] : ['node-http', 'fetch'],
    adapterOptions: { fetch: { context: globalThis } },
    persister: 'fs',
    persisterOptions: { fs: { recordingsDir: ctx.pollyDir } },
    mode,
    recordIfMissing: false,
    recordFailedRequests: false,
    logLevel: 'silent',
    // Bodies are all distinct; order: false lets a recording replay in every round.
    matchRequestsBy: { headers: false, order: false, url: { port: false } },
  });
}

/** Records the Polly HAR by sending every fixture through Polly to a loopback server. */
async function recordPolly(ctx) {
  const responses = new Map(ctx.recordings.map((r) => [r.requestText, r.responseText]));
  const server = await startLoopback(responses);
  const polly = startPolly(ctx, 'record');
  for (const r of ctx.recordings) {
    const reply = await httpPost(server.origin + PATH, r.requestText);
    if (reply.status !== 200 || reply.text !== r.responseText) throw new Error(`Polly recording of #${r.i} got ${reply.status}`);
  }
  await polly.stop();
  await server.close();
}

class Selector {
  constructor(count, seed) {
    this.count = count;
    this.permutation = shuffle([...Array(count).keys()], seed);
    this.renew();
  }

  renew() {
    this.used = new Uint8Array(this.count);
    this.left = this.count;
    this.nextRecorded = 0;
    this.nextShuffled = 0;
  }

  /** The next unused recording in this order, or undefined when none is left. */
  next(order) {
    if (this.left === 0) return undefined;
    let index;
    if (order === 'recorded') {
      while (this.used[this.nextRecorded]) this.nextRecorded++;
      index = this.nextRecorded;
    } else {
      while (this.used[this.permutation[this.nextShuffled]]) this.nextShuffled++;
      index = this.permutation[this.nextShuffled];
    }
    this.used[index] = 1;
    this.left--;
    return index;
  }
}

const ctx = {};
let variant;
let selector;

async function round({ client, order, maxRequests, budgetMs, minRequests = 5 }) {
  const send = CLIENTS[client];
  let elapsed = 0n;
  let cpuUs = 0;
  let count = 0;
  const budget = BigInt(Math.round(budgetMs * 1e6));
  while (count < maxRequests && (count < minRequests || elapsed < budget)) {
    let index = selector.next(order);
    if (index === undefined) {
      selector.renew();
      variant.reset();
      index = selector.next(order);
    }
    const r = ctx.recordings[index];
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    const reply = await send(variant.url, r.requestText);
    elapsed += process.hrtime.bigint() - started;
    const spent = process.cpuUsage(cpu);
    cpuUs += spent.user + spent.system;
    if (reply.status !== 200 || reply.text !== r.responseText) {
      variant.check?.();
      throw new Error(`${ctx.variant} ${client} ${order}: recording #${index} answered ${reply.status} with a body that differs from the fixture (${reply.text.slice(0, 120)})`);
    }
    count++;
  }
  variant.check?.();
  return { count, totalMs: Number(elapsed) / 1e6, perRequestUs: Number(elapsed) / 1e3 / count, cpuPerRequestUs: cpuUs / count };
}

process.on('message', async (message) => {
  try {
    if (message.cmd === 'setup') {
      const started = performance.now();
      Object.assign(ctx, message);
      ctx.recordings = makeRecordings(message.size);
      if (message.variant === 'polly-record') {
        await recordPolly(ctx);
        process.send({ ok: true, setupMs: performance.now() - started });
        return;
      }
      variant = await variants[message.variant](ctx);
      selector = new Selector(message.size, 42);
      variant.reset();
      // Warm-up: a few requests through each client, not timed.
      for (const client of Object.keys(CLIENTS)) await round({ client, order: 'shuffled', maxRequests: Math.min(20, message.size), budgetMs: 0, minRequests: 1 });
      process.send({ ok: true, setupMs: performance.now() - started });
    } else if (message.cmd === 'round') {
      process.send({ ok: true, ...(await round(message)) });
    } else if (message.cmd === 'exit') {
      await variant?.close?.();
      process.send({ ok: true, maxRSSKb: process.resourceUsage().maxRSS });
      process.exit(0);
    }
  } catch (error) {
    process.send({ ok: false, error: String(error && error.stack ? error.stack : error) });
  }
});
