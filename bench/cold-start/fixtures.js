'use strict';
/** The cold-start fixture: 1,000 interactions with ~10 KB responses (~10 MB of cassette). */
const { makeRecordings } = require('../lib/fixtures');

const COUNT = 1000;

function coldRecordings(count = COUNT) {
  return makeRecordings(count, { requestSize: 400, responseSize: 9 * 1024 + 512 });
}

module.exports = { COUNT, coldRecordings };
