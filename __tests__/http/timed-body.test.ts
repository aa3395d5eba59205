/**
 * The replayed stream on its own: the recorded chunks reach a web reader one
 * read at a time with their boundaries, nothing is produced before the client
 * reads, recorded delays are waited only when scaled in, and a cancel stops it.
 */
import { performance } from 'node:perf_hooks';
import { decodeStreamedBody, type TimedChunk } from '../../src/http/streamed-body';
import { timedBody } from '../../src/http/timed-body';

const chunk = (delayMs: number, text: string): TimedChunk => ({ delayMs, bytes: Buffer.from(text) });

async function readAll(stream: ReadableStream<Uint8Array>): Promise<{ text: string; at: number }[]> {
  const reader = stream.getReader();
  const start = performance.now();
  const out: { text: string; at: number }[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push({ text: Buffer.from(value).toString(), at: performance.now() - start });
  }
}

test('delays skipped: every chunk arrives at once, with its own boundaries and in order', async () => {
  const chunks = [chunk(500, 'data: {"n":1}\n\n'), chunk(500, 'data: {"n"'), chunk(500, ':2}\n\ndata: [DONE]\n\n')];
  const received = await readAll(timedBody(chunks, 0));
  expect(received.map((r) => r.text)).toEqual(['data: {"n":1}\n\n', 'data: {"n"', ':2}\n\ndata: [DONE]\n\n']);
  expect(received.at(-1)!.at).toBeLessThan(400);
});

test('delays replayed: each chunk waits its scaled delay, counted from the first read', async () => {
  const body = timedBody([chunk(0, 'a'), chunk(80, 'b'), chunk(80, 'c')], 0.5);
  // Nothing runs before the client reads: waiting here must not shorten the delays below.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const received = await readAll(body);
  expect(received.map((r) => r.text)).toEqual(['a', 'b', 'c']);
  expect(received[1].at).toBeGreaterThanOrEqual(35);
  expect(received[2].at - received[1].at).toBeGreaterThanOrEqual(35);
});

test('chunks decoded from a cassette are handed over without a copy and stay intact after the client keeps them', async () => {
  const chunks = decodeStreamedBody({
    sse: [
      { delay_ms: 1, data: { n: 1 } },
      { delay_ms: 1, data: '[DONE]' },
    ],
  })!;
  const reader = timedBody(chunks, 0).getReader();
  const first = (await reader.read()).value!;
  expect(first.buffer).toBe(chunks[0].bytes.buffer);
  // A client may take the memory of a chunk it received (transfer detaches it); the next chunk is not affected.
  structuredClone(first, { transfer: [first.buffer as ArrayBuffer] });
  expect(Buffer.from((await reader.read()).value!).toString()).toBe('data: [DONE]\n\n');
  expect((await reader.read()).done).toBe(true);
});

test('a pooled Buffer is copied, so the pool is never handed to the client', async () => {
  const pooled = Buffer.from('data: x\n\n');
  const reader = timedBody([{ delayMs: 0, bytes: pooled }], 0).getReader();
  const { value } = await reader.read();
  expect(Buffer.from(value!).toString()).toBe('data: x\n\n');
  expect(value!.buffer).not.toBe(pooled.buffer);
});

test('a client that cancels during a delay gets nothing more and nothing throws', async () => {
  const reader = timedBody([chunk(0, 'a'), chunk(60, 'b'), chunk(0, 'c')], 1).getReader();
  expect(Buffer.from((await reader.read()).value!).toString()).toBe('a');
  const pending = reader.read();
  await reader.cancel();
  expect((await pending).done).toBe(true);
  // Let the delay run out: delivering to the cancelled stream must be a no-op.
  await new Promise((resolve) => setTimeout(resolve, 100));
});
