/**
 * Placeholder keys in replay: every unset provider key reads as the
 * placeholder, a set one is kept, and of two variables that name the same key
 * (GOOGLE_API_KEY, GEMINI_API_KEY) only one is filled, and none when either is
 * set: Google's GenAI client warns when both are set and would prefer a
 * placeholder over a real GEMINI_API_KEY.
 */
import { fillPlaceholderKeys, PLACEHOLDER_API_KEY, PROVIDER_KEY_VARIABLES } from '../../src/config/placeholder-keys';

test('fills every unset key but one of each pair naming the same key, and restores exactly', () => {
  const env: NodeJS.ProcessEnv = { OPENAI_API_KEY: 'real-openai', ANTHROPIC_API_KEY: '' };
  const restore = fillPlaceholderKeys(env);
  expect(env.OPENAI_API_KEY).toBe('real-openai');
  expect(env.ANTHROPIC_API_KEY).toBe(PLACEHOLDER_API_KEY);
  expect(env.GOOGLE_API_KEY).toBe(PLACEHOLDER_API_KEY);
  expect(env.GEMINI_API_KEY).toBeUndefined();
  const filled = PROVIDER_KEY_VARIABLES.filter((name) => env[name] === PLACEHOLDER_API_KEY);
  expect(filled).toHaveLength(PROVIDER_KEY_VARIABLES.length - 2);
  restore();
  expect(env).toEqual({ OPENAI_API_KEY: 'real-openai', ANTHROPIC_API_KEY: '' });
});

test('a real GEMINI_API_KEY keeps GOOGLE_API_KEY unset', () => {
  const env: NodeJS.ProcessEnv = { GEMINI_API_KEY: 'real-gemini' };
  fillPlaceholderKeys(env);
  expect(env.GOOGLE_API_KEY).toBeUndefined();
  expect(env.GEMINI_API_KEY).toBe('real-gemini');
});
