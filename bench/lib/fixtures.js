'use strict';
/**
 * Deterministic fixtures shared by every variant: request i is a ~2 KB JSON POST,
 * its response a ~2 KB JSON body. Every variant is checked against these bodies.
 */
const crypto = require('node:crypto');

const HOST = 'api.bench.test';
const ORIGIN = `http://${HOST}`;
const PATH = '/v1/items';
const URL_ = ORIGIN + PATH;

/** Deterministic filler text of `length` characters seeded by `seed`. */
function filler(seed, length) {
  let out = '';
  let counter = 0;
  while (out.length < length) {
    out += crypto.createHash('sha256').update(`${seed}:${counter++}`).digest('base64').replace(/[+/=]/g, ' ');
  }
  return out.slice(0, length);
}

/** The request body (object) of recording i, about `size` bytes once serialized. */
function requestObject(i, size = 2048) {
  const base = {
    model: 'bench-model',
    request_no: i,
    temperature: 0,
    messages: [
      { role: 'system', content: 'You answer briefly.' },
      { role: 'user', content: '' },
    ],
  };
  const overhead = JSON.stringify(base).length;
  base.messages[1].content = filler(`req${i}`, Math.max(16, size - overhead));
  return base;
}

/** The response body (object) of recording i, about `size` bytes once serialized. */
function responseObject(i, size = 2048) {
  const base = {
    id: `resp-${i}`,
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: '' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 500, completion_tokens: 400, total_tokens: 900 },
  };
  const overhead = JSON.stringify(base).length;
  base.choices[0].message.content = filler(`resp${i}`, Math.max(16, size - overhead));
  return base;
}

/** `count` recordings: { i, requestObj, requestText, responseObj, responseText }. */
function makeRecordings(count, { requestSize = 2048, responseSize = 2048 } = {}) {
  const list = [];
  for (let i = 0; i < count; i++) {
    const requestObj = requestObject(i, requestSize);
    const responseObj = responseObject(i, responseSize);
    list.push({ i, requestObj, requestText: JSON.stringify(requestObj), responseObj, responseText: JSON.stringify(responseObj) });
  }
  return list;
}

/** A seeded PRNG (mulberry32) so shuffled orders are the same in every variant. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded Fisher-Yates shuffle (returns a new array). */
function shuffle(items, seed) {
  const out = [...items];
  const random = prng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

module.exports = { HOST, ORIGIN, PATH, URL: URL_, filler, makeRecordings, requestObject, responseObject, shuffle, prng };
