/**
 * AgentTape for Jest: record every external interaction of an AI agent once,
 * replay it in every test run.
 *
 * @example
 * import { cassette } from 'agenttape';
 * test('answers', async () => {
 *   await runAgent('What is the weather in London?');
 *   expect(cassette).toHaveReplayedAll();
 * });
 */
import './jest/matchers-types';

export { cassette, type CassetteHandle, type CassetteStep, type CassetteUseOptions } from './jest/cassette-handle';
export {
  AgentTapeError,
  CassetteCorruptError,
  CassetteNotFoundError,
  ConfigError,
  ImportFormatError,
  ERROR_CODES,
  RecordingRefusedInCiError,
  SchemaVersionError,
  UnmatchedInteractionError,
  UsageError,
} from './errors';
export { MODES, type Mode } from './config/modes';
export type { AgentTapeOptions } from './config/config';
export type { CassetteDocument, Interaction, InteractionKind, Json } from './cassette/cassette-format';
