import { lineOfField } from '../../src/cassette/yaml-field-lines';

const TEXT = [
  'version: "1"', // 1
  'meta:', // 2
  '  freeze:', // 3
  '    base_time: soon', // 4
  'interactions:', // 5
  '  - index: 0', // 6
  '    kind: http', // 7
  '    # a comment', // 8
  '    request:', // 9
  '      method: GET', // 10
  '    response:', // 11
  '      status_code: two hundred', // 12
  '  -', // 13
  '    kind: teleport', // 14
  '  - {kind: tool, request: {}}', // 15
  '',
].join('\n');

describe('lineOfField', () => {
  test.each([
    [['meta', 'freeze', 'base_time'], 4],
    [['interactions'], 6],
    [['interactions', 0], 6],
    [['interactions', 0, 'kind'], 7],
    // A block mapping under a key starts on the line after it, as a document model says.
    [['interactions', 0, 'response'], 12],
    [['interactions', 1], 14],
    [['interactions', 1, 'kind'], 14],
    // Flow style: the nearest line the walk found.
    [['interactions', 2, 'kind'], 15],
    [['interactions', 0, 'usage'], 6],
  ])('%j is on line %d', (path, line) => {
    expect(lineOfField(TEXT, path)).toBe(line);
  });

  test("a list at its key's indentation, and quoted keys", () => {
    const text = 'interactions:\n- "kind": http\n  \'request\':\n    url: x\n';
    expect(lineOfField(text, ['interactions', 0, 'request', 'url'])).toBe(4);
    expect(lineOfField(text, ['interactions', 0, 'kind'])).toBe(2);
  });

  test('an unknown first field has no line', () => {
    expect(lineOfField(TEXT, ['run_id'])).toBeUndefined();
  });
});
