/**
 * A replayed body that streams: the recorded chunks pushed one at a time, with
 * the same boundaries, each after its recorded delay times a scale (0 skips
 * the delays, 1 replays them as recorded).
 */
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TimedChunk } from './streamed-body';

/**
 * Streams recorded chunks. The clock starts when the client starts reading.
 *
 * @example
 * const body = new TimedBody([{ delayMs: 40, bytes: Buffer.from('data: hi\n\n') }], 1);
 */
export class TimedBody extends Readable {
  private started = false;

  constructor(
    private readonly chunks: readonly TimedChunk[],
    private readonly delayScale: number,
  ) {
    super();
  }

  override _read(): void {
    if (this.started) return;
    this.started = true;
    this.pump().catch((error: Error) => this.destroy(error));
  }

  private async pump(): Promise<void> {
    for (const chunk of this.chunks) {
      const delay = chunk.delayMs * this.delayScale;
      if (delay > 0) await sleep(delay);
      if (this.destroyed) return;
      this.push(chunk.bytes);
    }
    this.push(null);
  }
}
