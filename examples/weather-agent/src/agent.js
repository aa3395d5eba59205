/**
 * A small weather agent: the model decides to call the weather API, the agent
 * calls it, and the model turns the result into an answer. It uses the
 * official openai client, as a real agent would.
 */
const OpenAI = require('openai').default;

const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];

/** The weather service the agent calls over HTTP. */
async function getWeather(baseUrl, city) {
  const response = await fetch(`${baseUrl}/weather?city=${encodeURIComponent(city)}`);
  if (!response.ok) throw new Error(`weather service answered ${response.status}`);
  return response.json();
}

/**
 * Answers a question, calling the weather tool when the model asks for it.
 * @param {string} question
 * @param {{ client?: OpenAI, weatherUrl?: string }} [options]
 */
async function runAgent(question, options = {}) {
  const client = options.client ?? new OpenAI({ baseURL: process.env.OPENAI_BASE_URL });
  const weatherUrl = options.weatherUrl ?? process.env.WEATHER_URL;
  const messages = [
    { role: 'system', content: 'You are a concise weather assistant.' },
    { role: 'user', content: question },
  ];
  for (let step = 0; step < 4; step++) {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: TOOLS });
    const message = completion.choices[0].message;
    messages.push(message);
    if (!message.tool_calls || message.tool_calls.length === 0) return message.content;
    for (const call of message.tool_calls) {
      const { city } = JSON.parse(call.function.arguments);
      const weather = await getWeather(weatherUrl, city);
      messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(weather) });
    }
  }
  throw new Error('the agent did not finish in 4 steps');
}

module.exports = { runAgent };
