import { parseSse, serializeSseEntry, sseDataObjects } from '../../src/http/sse-events';

const OPENAI = 'data: {"id":"c1","choices":[{"delta":{"content":"Hi"}}]}\n\ndata: [DONE]\n\n';
const ANTHROPIC = 'event: message_start\ndata: {"type":"message_start"}\n\nevent: ping\ndata: {"type": "ping"}\n\n';

describe('parseSse', () => {
  test('OpenAI events: JSON data parsed, [DONE] kept as text', () => {
    expect(parseSse(OPENAI).map((e) => e.entry)).toEqual([{ data: { id: 'c1', choices: [{ delta: { content: 'Hi' } }] } }, { data: '[DONE]' }]);
  });

  test('Anthropic events keep their names; JSON that is not compact stays text so it replays byte for byte', () => {
    expect(parseSse(ANTHROPIC).map((e) => e.entry)).toEqual([
      { event: 'message_start', data: { type: 'message_start' } },
      { event: 'ping', data: '{"type": "ping"}' },
    ]);
  });

  test('id, retry, comments and multi-line data', () => {
    const text = ': keep-alive\nid: 7\nevent: update\ndata: line one\ndata: line two\nretry: 3000\n\n';
    expect(parseSse(text)[0].entry).toEqual({ comment: 'keep-alive', id: '7', event: 'update', data: 'line one\nline two', retry: 3000 });
  });

  test('what the fields cannot reproduce is kept verbatim as raw', () => {
    const crlf = 'data: {"a":1}\r\n\r\n';
    const noSpace = 'data:{"a":1}\n\n';
    const reordered = 'data: x\nevent: late\n\n';
    const tail = 'data: unterminated';
    expect(parseSse(crlf + noSpace + reordered + tail).map((e) => e.entry)).toEqual([{ raw: crlf }, { raw: noSpace }, { raw: reordered }, { raw: tail }]);
  });

  test('a lone CRLF is one line end, not an event boundary', () => {
    expect(parseSse('event: a\r\ndata: b\r\n\r\n')).toHaveLength(1);
  });

  test('every event serializes back to exactly its text (offsets included)', () => {
    const text = `\n\n${OPENAI}${ANTHROPIC}: c\n: two\n\ndata: {"x":[1,2]}\r\n\r\nid: 1\n\ndata: a\ndata:\ndata: b\n\n`;
    const events = parseSse(text);
    expect(events.map((e) => serializeSseEntry(e.entry)).join('')).toBe(text);
    for (const event of events) expect(serializeSseEntry(event.entry)).toBe(text.slice(event.start, event.end));
  });
});

test('sseDataObjects lists the JSON object payloads in order, the ones stored as text too', () => {
  expect(sseDataObjects(parseSse(OPENAI + ANTHROPIC).map((e) => e.entry))).toEqual([{ id: 'c1', choices: [{ delta: { content: 'Hi' } }] }, { type: 'message_start' }, { type: 'ping' }]);
});

test('sseDataObjects also reads JSON stored as text: events kept raw (CRLF line ends) and JSON that is not compact', () => {
  const text = 'data: {"a":1}\r\n\r\ndata: {"b": 2}\n\ndata: [DONE]\r\n\r\n: just a comment\r\n\r\ndata: {"c":\r\ndata: 3}\r\n\r\n';
  const entries = parseSse(text).map((e) => e.entry);
  // Stored as text so that replay gives back the exact bytes…
  expect(entries).toEqual([{ raw: 'data: {"a":1}\r\n\r\n' }, { data: '{"b": 2}' }, { raw: 'data: [DONE]\r\n\r\n' }, { raw: ': just a comment\r\n\r\n' }, { raw: 'data: {"c":\r\ndata: 3}\r\n\r\n' }]);
  // …and read as a client would: data lines joined by a newline.
  expect(sseDataObjects(entries)).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
});
