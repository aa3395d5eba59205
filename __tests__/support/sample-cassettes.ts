/**
 * Small hand-written cassettes for tool tests, in the shared format.
 */
import type { CassetteDocument, Interaction } from '../../src/cassette/cassette-schema';
import { serializeCassette } from '../../src/cassette/cassette-yaml';

export function llmInteraction(index: number, overrides: Partial<Interaction> = {}): Interaction {
  return {
    index,
    kind: 'llm',
    boundary: 'llm',
    request: {
      method: 'POST',
      url: 'https://api.openai.com/v1/chat/completions',
      headers: { 'content-type': 'application/json' },
      json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is the weather in London? <script>alert(1)</script>' }] },
    },
    response: {
      status_code: 200,
      headers: { 'content-type': 'application/json' },
      json: { model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'It is rainy & 15°C.' } }], usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 } },
    },
    match_key: 'sha256:1111',
    latency_ms: 800,
    usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 },
    tags: [],
    metadata: {},
    ...overrides,
  };
}

export function weatherInteraction(index: number, temp = 15, extraJson: Record<string, string> = {}): Interaction {
  return {
    index,
    kind: 'http',
    boundary: 'api.weather.test',
    request: { method: 'GET', url: 'https://api.weather.test/v1/london', headers: { accept: 'application/json' } },
    response: { status_code: 200, headers: { 'content-type': 'application/json' }, json: { city: 'London', temp, ...extraJson } },
    match_key: 'sha256:2222',
    latency_ms: 200,
    usage: null,
    tags: [],
    metadata: {},
  };
}

export function toolInteraction(index: number): Interaction {
  return {
    index,
    kind: 'tool',
    boundary: 'get_weather',
    request: { name: 'get_weather', args: { city: 'London' } },
    response: { temp: 15, condition: 'rainy' },
    match_key: 'sha256:3333',
    latency_ms: 50,
    usage: null,
    tags: [],
    metadata: {},
  };
}

export function cassetteOf(testName: string, interactions: Interaction[]): CassetteDocument {
  return {
    version: '1',
    created_at: '2026-06-17T12:00:00.000Z',
    run_id: 'bee71bc9-33b8-431b-8012-00a753783931',
    meta: { agenttape_version: '0.1.0', mode: 'record', test_file: 'agent.test.js', test_name: testName, freeze: {}, tags: [] },
    interactions,
  };
}

export function cassetteText(testName: string, interactions: Interaction[]): string {
  return serializeCassette(cassetteOf(testName, interactions));
}
