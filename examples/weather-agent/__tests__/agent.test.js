const { cassette } = require('agenttape');
const { runAgent } = require('../src/agent');

describe('weather agent', () => {
  test('answers with the weather in London', async () => {
    const answer = await runAgent('What is the weather in London?');
    expect(answer).toMatch(/rainy/i);
    expect(cassette).toHaveReplayedAll();
  });

  test('answers with the weather in Paris', async () => {
    const answer = await runAgent('What is the weather in Paris?');
    expect(answer).toMatch(/sunny/i);
    expect(cassette).toHaveReplayedAll();
  });

  test('answers without a tool when no city is named', async () => {
    const answer = await runAgent('Say hello.');
    expect(answer).toMatch(/hello/i);
    expect(cassette).toHaveReplayedAll();
  });
});
