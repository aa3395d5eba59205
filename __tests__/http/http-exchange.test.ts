import { classifyUrl } from '../../src/http/http-exchange';

describe('classifyUrl: which requests are kind llm (docs/format.md)', () => {
  // One real endpoint per provider issue 3 names.
  test.each([
    ['OpenAI', 'https://api.openai.com/v1/chat/completions'],
    ['Azure OpenAI', 'https://my-resource.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21'],
    ['Anthropic', 'https://api.anthropic.com/v1/messages'],
    ['Google Gemini', 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent'],
    ['Mistral', 'https://api.mistral.ai/v1/chat/completions'],
    ['Groq', 'https://api.groq.com/openai/v1/chat/completions'],
    ['OpenRouter', 'https://openrouter.ai/api/v1/chat/completions'],
    ['Together', 'https://api.together.xyz/v1/chat/completions'],
    ['Fireworks', 'https://api.fireworks.ai/inference/v1/chat/completions'],
    ['DeepSeek', 'https://api.deepseek.com/chat/completions'],
  ])('%s is llm/llm', (_provider, url) => {
    expect(classifyUrl(url, [])).toEqual({ kind: 'llm', boundary: 'llm' });
  });

  test('other hosts are http, with the host (and a non-default port) as boundary', () => {
    expect(classifyUrl('https://api.weather.example/v1/now?city=London', [])).toEqual({ kind: 'http', boundary: 'api.weather.example' });
    expect(classifyUrl('http://127.0.0.1:8080/v1/chat/completions', [])).toEqual({ kind: 'http', boundary: '127.0.0.1:8080' });
    // A look-alike host is not the provider.
    expect(classifyUrl('https://api.openai.com.evil.example/v1/chat/completions', [])).toEqual({ kind: 'http', boundary: 'api.openai.com.evil.example' });
    expect(classifyUrl('https://openai.azure.com.example/x', [])).toEqual({ kind: 'http', boundary: 'openai.azure.com.example' });
  });

  test('llmHosts adds hosts: by host name, host:port, or a *. wildcard', () => {
    expect(classifyUrl('https://llm.internal.example/v1/chat/completions', ['llm.internal.example'])).toEqual({ kind: 'llm', boundary: 'llm' });
    expect(classifyUrl('http://127.0.0.1:18080/v1/chat/completions', ['127.0.0.1:18080'])).toEqual({ kind: 'llm', boundary: 'llm' });
    expect(classifyUrl('http://127.0.0.1:18081/weather', ['127.0.0.1:18080'])).toEqual({ kind: 'http', boundary: '127.0.0.1:18081' });
    expect(classifyUrl('https://eu.gateway.example/v1/messages', ['*.gateway.example'])).toEqual({ kind: 'llm', boundary: 'llm' });
  });
});
