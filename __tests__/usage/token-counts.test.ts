import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CassetteDocument, Interaction } from '../../src/cassette/cassette-schema';
import type { Json } from '../../src/json';
import { loadConfig } from '../../src/config/config';
import { Tape } from '../../src/engine/tape';
import { extractLlmUsage } from '../../src/http/llm-usage';
import { tokensOf } from '../../src/tools/interaction-facts';
import { countUsage } from '../../src/usage/cassette-usage';
import { tokenCounts } from '../../src/usage/token-counts';

type Usage = { [key: string]: Json };

// One usage object per shape a cassette can hold, as the provider (or the Python AgentTape) wrote it.
const SHAPES: Array<[string, Usage, { input: number; output: number; total: number }]> = [
  ['OpenAI chat', { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 }, { input: 12, output: 9, total: 21 }],
  ['Anthropic messages', { input_tokens: 11, output_tokens: 8 }, { input: 11, output: 8, total: 19 }],
  ['Gemini with thinking', { promptTokenCount: 4, candidatesTokenCount: 2, thoughtsTokenCount: 3, totalTokenCount: 9 }, { input: 4, output: 5, total: 9 }],
  ['Gemini without a total', { promptTokenCount: 4, candidatesTokenCount: 2 }, { input: 4, output: 2, total: 6 }],
];

describe('one reading of token counts', () => {
  test.each(SHAPES)('%s', (_shape, usage, expected) => {
    expect(tokenCounts(usage)).toEqual(expected);
  });

  test.each(SHAPES)('%s: inspect reads the same counts from the usage as provided and as the recorder stores it', (_shape, usage, expected) => {
    const stored = extractLlmUsage({ json: { usage } });
    expect(tokenCounts(stored)).toEqual(expected);
    expect(tokensOf({ usage })).toEqual({ input: expected.input, output: expected.output });
    expect(tokensOf({ usage: stored })).toEqual({ input: expected.input, output: expected.output });
  });

  test('a count that is not given stays undefined; no usage counts nothing', () => {
    expect(tokenCounts({ output_tokens: 5 })).toEqual({ input: undefined, output: 5, total: 5 });
    expect(tokenCounts(null)).toEqual({ input: undefined, output: undefined, total: undefined });
    expect(tokensOf({ usage: null })).toEqual({ input: 0, output: 0 });
  });
});

describe('the run summary counts the tokens inspect shows', () => {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-tokens-'));
  afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

  test.each(SHAPES)('%s, replayed as written in the cassette', (_shape, usage, expected) => {
    const request = { method: 'POST', url: 'https://llm.example/v1', json: { q: 'hi' } };
    const recorded: Interaction = { index: 0, kind: 'llm', boundary: 'llm', request, response: { status_code: 200, json: {} }, match_key: '', latency_ms: 1, usage, tags: [], metadata: {} };
    const doc: CassetteDocument = { version: '1', created_at: 't', run_id: 'r', meta: { tags: [] }, interactions: [recorded] };
    const owner = { testName: 't', testFile: 'a.test.ts', cassettePath: path.join(project, 'a.yaml'), fileScope: false };
    const tape = new Tape(owner, doc, loadConfig(project), { mode: 'none', source: 'default' });
    tape.replay(tape.match({ kind: 'llm', boundary: 'llm', request })!);
    expect(countUsage([tape]).tokensReplayed).toBe(expected.total);
  });
});
