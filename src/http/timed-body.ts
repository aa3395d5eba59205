/**
 * A replayed body that streams: the recorded chunks handed over one at a time,
 * with the same boundaries, each after its recorded delay times a scale (0
 * skips the delays, 1 replays them as recorded).
 *
 * It is a web ReadableStream with a pull source, not a Node Readable: the
 * interception answers with a web Response, and converting a Readable
 * (Readable.toWeb) put a second stream, its buffering, its events and a copy
 * of every chunk in front of each replayed stream. Pulling also means nothing
 * is produced before the client reads, and no timer is armed for a chunk whose
 * delay is 0.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { TimedChunk } from './streamed-body';

/**
 * Streams recorded chunks. The clock starts when the client starts reading.
 *
 * @example
 * const body = timedBody([{ delayMs: 40, bytes: Buffer.from('data: hi\n\n') }], 1);
 * new Response(body, { headers: { 'content-type': 'text/event-stream' } });
 */
export function timedBody(chunks: readonly TimedChunk[], delayScale: number): ReadableStream<Uint8Array> {
  let next = 0;
  let cancelled = false;
  const deliver = (controller: ReadableStreamDefaultController<Uint8Array>, bytes: Buffer) => {
    // A client that cancelled during the delay gets nothing more (enqueue would throw).
    if (cancelled) return;
    controller.enqueue(ownBytes(bytes));
    // The chunks that follow without a delay are queued now, each still its own read: the client takes
    // them from the queue without a pull (and its promise) per chunk.
    while (next < chunks.length && chunks[next].delayMs * delayScale <= 0) controller.enqueue(ownBytes(chunks[next++].bytes));
    if (next >= chunks.length) controller.close();
  };
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (next >= chunks.length) {
          controller.close();
          return undefined;
        }
        const chunk = chunks[next++];
        const delay = chunk.delayMs * delayScale;
        // Only a real delay costs a timer (and a promise); a skipped one answers the read at once.
        if (delay > 0) return sleep(delay).then(() => deliver(controller, chunk.bytes));
        deliver(controller, chunk.bytes);
        return undefined;
      },
      cancel() {
        cancelled = true;
      },
    },
    // No read-ahead: a chunk is produced (and its delay waited) only when the client asks for the next one.
    { highWaterMark: 0 },
  );
}

/**
 * The chunk as a Uint8Array the client may keep (or transfer): a view when the
 * Buffer has its memory to itself (decodeStreamedBody gives such Buffers), a
 * copy when it sits in Node's shared pool.
 */
function ownBytes(bytes: Buffer): Uint8Array {
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return own ? new Uint8Array(bytes.buffer, 0, bytes.byteLength) : new Uint8Array(bytes);
}
