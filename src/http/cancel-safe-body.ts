/**
 * Works around a nock 14 bug (lib/create_response.js): when a fetch client
 * cancels a response stream after its last chunk but before it ends (openai 7
 * does this whenever it iterates a stream), nock closes the stream's
 * controller a second time and the process gets an uncaught
 * `TypeError: Invalid state: Controller is already closed`. Data pushed after
 * a cancel fails the same way. This body stops feeding nock once the client is
 * gone and only ends once the client had a turn to cancel, so nock never
 * touches a closed controller. The source is still read to its end, so a
 * recording stays complete when the client stops early.
 */
import { Readable } from 'node:stream';

/**
 * Forwards a body to nock while the client still reads it.
 *
 * @example
 * const body = new CancelSafeBody(source, () => Boolean(req.res?.destroyed));
 */
export class CancelSafeBody extends Readable {
  private started = false;

  constructor(
    private readonly source: Readable,
    /** True once the client has let go of the response (nock destroys it on cancel). */
    private readonly clientGone: () => boolean,
  ) {
    super();
    source.on('error', (error) => this.destroy(error));
  }

  override _read(): void {
    if (this.started) return;
    this.started = true;
    this.source.on('data', (chunk: Buffer) => {
      if (!this.destroyed && !this.clientGone()) this.push(chunk);
    });
    this.source.on('end', () => {
      // A client that cancels on seeing the last chunk does so within this turn.
      setImmediate(() => {
        if (this.destroyed) return;
        if (this.clientGone()) this.destroy();
        else this.push(null);
      });
    });
  }
}
