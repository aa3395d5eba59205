/**
 * undici's two dispatch-handler protocols, as replay and recording speak
 * them: the callbacks of undici 6 (Node 20's fetch) and the controller
 * callbacks of undici 7, with pause, resume and abort; and a wrapped handler
 * that copies a real response to a sink while the client still gets it all.
 */
import * as undici from 'undici';
import * as http from 'node:http';
import { replayToHandler, teeHandler, type DispatchHandler } from '../../src/http/undici-handler';

function stream(chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });
}

describe('replayToHandler', () => {
  test('undici 6 callbacks: connect, headers, each chunk, complete; a paused body waits for resume', async () => {
    const events: string[] = [];
    let resume: () => void = () => undefined;
    const handler: DispatchHandler = {
      onConnect: () => events.push('connect'),
      onHeaders: (status, raw, resumeBody) => {
        resume = resumeBody;
        events.push(`headers ${status} ${raw.map(String).join('=')}`);
        return false;
      },
      onData: (chunk) => void events.push(`data ${chunk.toString()}`),
      onComplete: () => events.push('complete'),
      onError: (error) => events.push(`error ${error.message}`),
    };
    const done = replayToHandler(handler, { status: 201, headers: { 'x-a': '1' }, body: stream(['one', 'two']) });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events).toEqual(['connect', 'headers 201 x-a=1']);
    resume();
    await done;
    expect(events).toEqual(['connect', 'headers 201 x-a=1', 'data one', 'data two', 'complete']);
  });

  test('undici 7 controller callbacks, and an abort mid-body ends in one error and no more data', async () => {
    const events: string[] = [];
    let controller: { abort(reason: Error): void } | undefined;
    const handler: DispatchHandler = {
      onRequestStart: (c) => {
        controller = c;
        events.push('start');
      },
      onResponseStart: (_c, status, headers) => events.push(`response ${status} ${JSON.stringify(headers)}`),
      onResponseData: (_c, chunk) => {
        events.push(`data ${chunk.toString()}`);
        controller!.abort(new Error('client stopped'));
      },
      onResponseEnd: () => events.push('end'),
      onResponseError: (_c, error) => events.push(`error ${error.message}`),
    };
    await replayToHandler(handler, { status: 200, headers: { 'Content-Type': 'text/plain' }, body: stream(['a', 'b', 'c']) });
    expect(events).toEqual(['start', 'response 200 {"content-type":"text/plain"}', 'data a', 'error client stopped']);
  });
});

describe('teeHandler', () => {
  test('a real response reaches the client whole and the sink chunk by chunk', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'] });
      res.write('first;');
      setTimeout(() => res.end('second'), 10);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const copied: string[] = [];
    const sink = {
      start: (status: number, headers: Record<string, string | string[]>) => copied.push(`start ${status} ${JSON.stringify(headers['set-cookie'])}`),
      data: (chunk: Buffer) => copied.push(`data ${chunk.toString()}`),
      end: () => copied.push('end'),
      fail: (error: Error) => copied.push(`fail ${error.message}`),
    };
    const agent = new undici.Agent();
    const tee = new Proxy(agent, {
      get: (target, key) => (key === 'dispatch' ? (options: object, handler: DispatchHandler) => target.dispatch(options as never, teeHandler(handler, sink) as never) : Reflect.get(target, key)),
    });
    try {
      const response = await undici.request(`http://127.0.0.1:${(server.address() as { port: number }).port}/`, { dispatcher: tee });
      expect(await response.body.text()).toBe('first;second');
    } finally {
      await agent.close();
      server.close();
    }
    expect(copied).toEqual(['start 200 ["a=1","b=2"]', 'data first;', 'data second', 'end']);
  });
});
