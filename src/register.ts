/**
 * `require('agenttape/register')` first in a script, or
 * `node -r agenttape/register script.js`: for agents that build their SDK
 * clients when their module loads, before `useCassette` runs. When the
 * process will replay — `AGENTTAPE_MODE`, else `"mode"` in the configuration
 * of the current folder, is `none` or unset (and in CI, unless
 * `AGENTTAPE_MODE` says otherwise) — every unset provider key reads as a
 * placeholder from here on, so `new OpenAI()` at module scope constructs
 * without a real key. It changes nothing else, and nothing when the process
 * will record. See docs/interception.md, "Clients built before the cassette opens".
 *
 * @example
 * // script.js
 * require('agenttape/register');
 * const { agent } = require('./agent'); // new OpenAI() at module scope
 */
import { loadConfig } from './config/config';
import { isCiEnvironment, modeFromEnvironment, resolveMode } from './config/modes';
import { fillPlaceholderKeys } from './config/placeholder-keys';

const { mode } = resolveMode({ env: modeFromEnvironment(), config: loadConfig(process.cwd(), undefined, 'agenttape/register').mode, ci: isCiEnvironment() });
if (mode === 'none') fillPlaceholderKeys(process.env);
