/**
 * Every error carries its class's stable code, and `instanceof` answers by
 * that code, so an error thrown by the environment's copy of this module is
 * recognised by the copy a test imports inside the sandbox.
 */
import { AgentTapeError, CassetteCorruptError, ConfigError, ERROR_CODES, UnmatchedInteractionError, UsageError } from '../../src/errors';

test('each class sets its code and its name', () => {
  const error = new ConfigError('Invalid mode "recrd".');
  expect(error.code).toBe(ERROR_CODES.config);
  expect(error.name).toBe('ConfigError');
  expect(error.message).toBe('Invalid mode "recrd".');
  expect(new UsageError('x').code).toBe(ERROR_CODES.usage);
});

test('instanceof matches by code: a subclass exactly, the base class any AgentTape code', () => {
  // What an error from another realm looks like to this one: a plain Error with a code.
  const foreign = Object.assign(new Error('no recording'), { code: ERROR_CODES.unmatched });
  expect(foreign instanceof UnmatchedInteractionError).toBe(true);
  expect(foreign instanceof AgentTapeError).toBe(true);
  expect(foreign instanceof CassetteCorruptError).toBe(false);
  expect(new CassetteCorruptError('bad') instanceof AgentTapeError).toBe(true);
  expect(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) instanceof AgentTapeError).toBe(false);
  expect((ERROR_CODES.unmatched as unknown) instanceof UnmatchedInteractionError).toBe(false);
});
