import { extractUsage } from '../../src/http/http-exchange';

describe('extractUsage', () => {
  test('copies OpenAI usage as it is', () => {
    expect(extractUsage({ json: { usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 } } })).toEqual({ prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 });
  });

  test("keeps Anthropic's keys and adds the shared format's, so the Python CLI counts them", () => {
    expect(extractUsage({ json: { usage: { input_tokens: 11, output_tokens: 8, cache_read_input_tokens: 0 } } })).toEqual({
      input_tokens: 11,
      output_tokens: 8,
      cache_read_input_tokens: 0,
      prompt_tokens: 11,
      completion_tokens: 8,
      total_tokens: 19,
    });
  });

  test('no usage, or a body that is not JSON', () => {
    expect(extractUsage({ json: { id: 'x' } })).toBeNull();
    expect(extractUsage({ text: 'usage: 1' })).toBeNull();
  });
});
