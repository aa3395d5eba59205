import { decodeStreamedBody, encodeStreamedBody, isStreamedBody, type TimedChunk } from '../../src/http/streamed-body';

const chunk = (delayMs: number, text: string | Buffer): TimedChunk => ({ delayMs, bytes: Buffer.isBuffer(text) ? text : Buffer.from(text) });
const roundTrip = (chunks: TimedChunk[], type: string) => decodeStreamedBody(JSON.parse(JSON.stringify(encodeStreamedBody(chunks, type))));
const view = (chunks: TimedChunk[] | undefined) => chunks?.map((c) => [c.delayMs, c.bytes.toString('hex')]);

describe('SSE streams', () => {
  test('one event per chunk: each event carries its delay, data parsed', () => {
    const chunks = [chunk(1.23, 'data: {"n":1}\n\n'), chunk(40.06, 'data: {"n":2}\n\n'), chunk(41, 'data: [DONE]\n\n')];
    expect(encodeStreamedBody(chunks, 'text/event-stream')).toEqual({
      sse: [
        { delay_ms: 1.2, data: { n: 1 } },
        { delay_ms: 40.1, data: { n: 2 } },
        { delay_ms: 41, data: '[DONE]' },
      ],
    });
  });

  test('several events in one chunk and one event split over chunks replay with the same boundaries', () => {
    const chunks = [chunk(2, 'event: a\ndata: {"x":1}\n\nevent: b\ndata: {"x"'), chunk(30, ':2}\n\n'), chunk(5, 'data: é\n\n')];
    const stored = encodeStreamedBody(chunks, 'text/event-stream; charset=utf-8');
    expect(stored).toEqual({
      sse: [
        { delay_ms: 2, event: 'a', data: { x: 1 } },
        { event: 'b', data: { x: 2 }, chunk_breaks: [{ at: 19, delay_ms: 30 }] },
        { delay_ms: 5, data: 'é' },
      ],
    });
    expect(view(roundTrip(chunks, 'text/event-stream'))).toEqual(view(chunks));
  });

  test('a chunk that splits a UTF-8 character falls back to raw chunks, still byte-identical', () => {
    const bytes = Buffer.from('data: é\n\n');
    const chunks = [chunk(1, bytes.subarray(0, 7)), chunk(2, bytes.subarray(7))];
    expect(Object.keys(encodeStreamedBody(chunks, 'text/event-stream'))).toEqual(['chunks']);
    expect(view(roundTrip(chunks, 'text/event-stream'))).toEqual(view(chunks));
  });

  test('a break that redaction moved past the end of its event is ignored', () => {
    const replayed = decodeStreamedBody({ sse: [{ delay_ms: 1, data: 'short', chunk_breaks: [{ at: 500, delay_ms: 3 }] }] });
    expect(view(replayed)).toEqual([[1, Buffer.from('data: short\n\n').toString('hex')]]);
  });
});

test('other streamed bodies are stored per chunk as text or base64', () => {
  const chunks = [chunk(0, '{"i":0}\n'), chunk(12, Buffer.from([0xff, 0x00]))];
  expect(encodeStreamedBody(chunks, 'application/x-ndjson')).toEqual({
    chunks: [
      { delay_ms: 0, text: '{"i":0}\n' },
      { delay_ms: 12, body_b64: '/wA=' },
    ],
  });
  expect(view(roundTrip(chunks, 'application/x-ndjson'))).toEqual(view(chunks));
});

test('isStreamedBody: event streams always; other bodies only when streamed in pieces and not JSON', () => {
  expect(isStreamedBody('text/event-stream', { contentLength: true, chunkCount: 1 })).toBe(true);
  expect(isStreamedBody('application/x-ndjson', { contentLength: false, chunkCount: 3 })).toBe(true);
  expect(isStreamedBody('application/json', { contentLength: false, chunkCount: 3 })).toBe(false);
  expect(isStreamedBody('text/plain', { contentLength: true, chunkCount: 3 })).toBe(false);
  expect(isStreamedBody('text/plain', { contentLength: false, chunkCount: 1 })).toBe(false);
  expect(decodeStreamedBody({ json: { a: 1 } })).toBeUndefined();
});
