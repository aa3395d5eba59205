/**
 * Placeholder API keys for replay. The official SDK clients refuse to be
 * constructed without a key, yet a replayed call never reaches the provider:
 * in `none` mode a missing key reads as a placeholder, so a CI job with no
 * secrets can build its clients and replay.
 */

/**
 * Key variables of LLM providers that read as a placeholder in replay, so SDK clients construct.
 *
 * @example
 * PROVIDER_KEY_VARIABLES.includes('OPENAI_API_KEY'); // true
 */
export const PROVIDER_KEY_VARIABLES = [
  'OPENAI_API_KEY',
  'AZURE_OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'GOOGLE_API_KEY',
  'GEMINI_API_KEY',
  'GOOGLE_GENERATIVE_AI_API_KEY',
  'MISTRAL_API_KEY',
  'GROQ_API_KEY',
  'OPENROUTER_API_KEY',
  'TOGETHER_API_KEY',
  'FIREWORKS_API_KEY',
  'DEEPSEEK_API_KEY',
  'COHERE_API_KEY',
];

/**
 * Variables that name the same key: a client reads the first one set, and
 * Google's GenAI client warns when both are. A placeholder goes only where
 * no variable of the group is set, and only into the first.
 */
const SAME_KEY: string[][] = [['GOOGLE_API_KEY', 'GEMINI_API_KEY']];

/**
 * The value a missing provider key reads as in replay.
 *
 * @example
 * process.env.OPENAI_API_KEY; // PLACEHOLDER_API_KEY in replay when the project sets none
 */
export const PLACEHOLDER_API_KEY = 'agenttape-replay-placeholder-key';

/**
 * Gives every missing or empty provider key in `env` the placeholder value;
 * returns a function that removes exactly those again.
 *
 * @example
 * const restore = fillPlaceholderKeys(process.env);
 * try { new OpenAI(); } finally { restore(); }
 */
export function fillPlaceholderKeys(env: NodeJS.ProcessEnv): () => void {
  const filled: [string, string | undefined][] = [];
  const isSet = (name: string) => env[name] !== undefined && env[name] !== '';
  for (const name of PROVIDER_KEY_VARIABLES) {
    if (isSet(name)) continue;
    const group = SAME_KEY.find((names) => names.includes(name));
    if (group && (group[0] !== name || group.some(isSet))) continue;
    filled.push([name, env[name]]);
    env[name] = PLACEHOLDER_API_KEY;
  }
  return () => {
    for (const [name, before] of filled) {
      // Left alone if the code under test set its own value meanwhile.
      if (env[name] !== PLACEHOLDER_API_KEY) continue;
      if (before === undefined) delete env[name];
      else env[name] = before;
    }
  };
}
