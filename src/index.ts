/**
 * AgentTape for Jest: record every external interaction of an AI agent once,
 * replay it in every test run.
 *
 * @example
 * import { cassette, tool } from 'agenttape';
 * const getWeather = tool('get_weather', async (city: string) => weatherApi.get(city));
 * test('answers', async () => {
 *   await runAgent('What is the weather in London?', { tools: [getWeather] });
 *   expect(cassette).toHaveReplayedAll();
 *   expect(cassette).toHaveCalledTools(['get_weather']);
 * });
 */
import './jest/matchers-types';

export { cassette, type CassetteHandle, type CassetteStep } from './session/cassette-handle';
export type { CassetteUseOptions } from './session/session-bridge';
export {
  AgentTapeError,
  CassetteCorruptError,
  CassetteNotFoundError,
  ConfigError,
  ImportFormatError,
  ERROR_CODES,
  RecordingRefusedInCiError,
  UninterceptableRequestError,
  SchemaVersionError,
  UnmatchedInteractionError,
  UsageError,
} from './errors';
export { MODES, type Mode } from './config/modes';
export type { AgentTapeOptions, UseCassetteOptions } from './config/config';
export { redactSecrets } from './redact/redactor';
export type { CassetteDocument, Interaction, InteractionKind } from './cassette/cassette-schema';
export type { Json } from './json';
export { tool, retrieval, memoryRead, memoryWrite, type BoundaryOptions } from './session/boundary-wrappers';
export { recordCall, type BoundaryRequest, type RecordCallOptions, type UsageOption } from './session/record-call';
export { useCassette } from './use-cassette';
