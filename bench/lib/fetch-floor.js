'use strict';
/**
 * The floor under any replay through Node's `fetch`: the same ~2 KB JSON POST
 * as the per-request fixtures, answered at once by a dispatcher in undici's
 * global slot that does nothing but hand back a fixed ~2 KB body. Whatever
 * intercepts `fetch` at undici's dispatcher pays at least this; the figure
 * shows how far below it a ratio to nock can go.
 */
const SLOT = Symbol.for('undici.globalDispatcher.1');

async function measureFetchFloor(samples = 600) {
  void globalThis.fetch; // loads Node's undici, which fills the slot
  const previous = globalThis[SLOT];
  const body = Buffer.from(JSON.stringify({ answer: 'x'.repeat(2000) }));
  const raw = [Buffer.from('content-type'), Buffer.from('application/json')];
  globalThis[SLOT] = {
    dispatch(options, handler) {
      (async () => {
        for await (const chunk of options.body ?? []) void chunk;
        handler.onConnect?.(() => undefined);
        handler.onHeaders?.(200, raw, () => undefined, 'OK');
        handler.onData?.(body);
        handler.onComplete?.([]);
      })();
      return true;
    },
    on() {
      return this;
    },
    off() {
      return this;
    },
    once() {
      return this;
    },
  };
  const request = JSON.stringify({ question: 'y'.repeat(2000) });
  const times = [];
  try {
    for (let i = 0; i < samples; i++) {
      const started = process.hrtime.bigint();
      const response = await fetch('http://127.0.0.1:8999/floor', { method: 'POST', body: request, headers: { 'content-type': 'application/json' } });
      await response.text();
      // The first third warms the JIT and is left out.
      if (i >= samples / 3) times.push(Number(process.hrtime.bigint() - started) / 1e3);
    }
  } finally {
    globalThis[SLOT] = previous;
  }
  times.sort((a, b) => a - b);
  return { medianUs: times[times.length >> 1], samples: times.length };
}

module.exports = { measureFetchFloor };
