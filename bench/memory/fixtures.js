'use strict';
/** The large-cassette fixture: ~10 KB responses, as many as the target size needs. */
const { makeRecordings } = require('../lib/fixtures');

const RESPONSE_SIZE = 9 * 1024 + 512;

function memoryRecordings(count) {
  return makeRecordings(count, { requestSize: 400, responseSize: RESPONSE_SIZE });
}

/** Interactions for a cassette of about `megabytes` MB. */
function countForMegabytes(megabytes) {
  return Math.round((megabytes * 1e6) / 11_200);
}

module.exports = { memoryRecordings, countForMegabytes };
