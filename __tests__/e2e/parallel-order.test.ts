/**
 * Parallel HTTP calls take their place in the cassette by when they started,
 * the order replay serves them in: a slow call started first stays first even
 * though a fast one finished before it, so `toMatchRecording` holds on replay.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCassette } from '../../src/cassette/cassette-yaml';
import { createFixture } from '../support/packed-project';

const TEST = `
const { cassette } = require('agenttape');

test('two calls at once', async () => {
  const [slow, fast] = await Promise.all([
    fetch(process.env.SERVER_URL + '/slow').then((r) => r.text()),
    fetch(process.env.SERVER_URL + '/fast').then((r) => r.text()),
  ]);
  expect([slow, fast]).toEqual(['slow answer', 'fast answer']);
  expect(cassette).toMatchRecording();
  expect(cassette).toHaveReplayedAll();
});
`;

test('a slow call started before a fast one is recorded first, and the replay matches the recording', async () => {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    const answer = () => res.end(`${req.url!.slice(1)} answer`);
    if (req.url === '/slow') setTimeout(answer, 300);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fixture = createFixture('parallel-order');
  try {
    fixture.write('order.test.js', TEST);
    const record = await fixture.run([], { AGENTTAPE_MODE: 'record', SERVER_URL: url });
    expect(record.output).toContain('Tests:       1 passed, 1 total');
    const [file] = fixture.files('cassettes');
    const doc = parseCassette(fixture.read(`cassettes/${file}`), file);
    expect(doc.interactions.map((x) => [x.index, new URL(x.request.url as string).pathname])).toEqual([
      [0, '/slow'],
      [1, '/fast'],
    ]);
    const seen = requests;
    const replay = await fixture.run([], { SERVER_URL: url });
    expect(replay.output).toContain('Tests:       1 passed, 1 total');
    expect(requests).toBe(seen);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    fixture.remove();
  }
});
