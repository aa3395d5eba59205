/**
 * Stand-ins for the services the example agent talks to, used only to record
 * its cassettes (`npm run demo:record`): an OpenAI-compatible chat endpoint
 * that asks for the weather tool (port 18080), and a weather API (port 18081).
 * Fixed ports, since recorded URLs must match on replay.
 */
const http = require('node:http');

const WEATHER = { london: { city: 'London', condition: 'rainy', temp_c: 14 }, paris: { city: 'Paris', condition: 'sunny', temp_c: 22 } };

function chat(request) {
  const messages = request.messages;
  const last = messages[messages.length - 1];
  if (last.role === 'tool') {
    const weather = JSON.parse(last.content);
    return { role: 'assistant', content: `It is ${weather.condition} in ${weather.city}, ${weather.temp_c}°C.` };
  }
  const city = /weather in (\w+)/i.exec(last.content)?.[1];
  if (!city) return { role: 'assistant', content: 'Hello! Ask me about the weather in any city.' };
  return {
    role: 'assistant',
    content: null,
    tool_calls: [{ id: `call_${city.toLowerCase()}`, type: 'function', function: { name: 'get_weather', arguments: JSON.stringify({ city }) } }],
  };
}

function handle(req, res) {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const url = new URL(req.url, 'http://localhost');
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/v1/chat/completions') {
      const message = chat(JSON.parse(body));
      res.end(
        JSON.stringify({
          id: 'chatcmpl-demo',
          object: 'chat.completion',
          created: 1764000000,
          model: 'gpt-4o-mini',
          choices: [{ index: 0, message, finish_reason: message.tool_calls ? 'tool_calls' : 'stop', logprobs: null }],
          usage: { prompt_tokens: 60 + (body.length % 40), completion_tokens: 14, total_tokens: 74 + (body.length % 40) },
        }),
      );
    } else if (url.pathname === '/weather') {
      const weather = WEATHER[String(url.searchParams.get('city')).toLowerCase()];
      res.statusCode = weather ? 200 : 404;
      res.end(JSON.stringify(weather ?? { error: 'unknown city' }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
}

/** Starts both services; resolves to an object whose close() stops them. */
async function start() {
  const servers = await Promise.all(
    [18080, 18081].map(
      (port) =>
        new Promise((resolve) => {
          const server = http.createServer(handle);
          server.listen(port, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  return { close: () => servers.forEach((server) => server.close()) };
}

module.exports = { start };
