/**
 * Errors thrown by boundaries, as recorded (`error:` of an interaction) and as
 * thrown again on replay: same name and message, the same class for the
 * ECMAScript built-ins, and the simple fields callers branch on (`code`,
 * `status`, `errno`…). A thrown value that is not an error is stored whole.
 */
import type { RecordedError } from '../cassette/cassette-schema';
import { isJsonObject, type Json } from '../json';
import { decodeValue, encodeValue } from './boundary-value';

/** Error classes every realm has; a replayed error of these names gets the real class. */
const BUILT_IN_ERRORS = ['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError'] as const;

/** The `module` written for a built-in class (the Python AgentTape writes `builtins` too). */
const BUILT_IN_MODULE = 'builtins';

function isError(value: unknown): value is Error {
  return typeof value === 'object' && value !== null && Object.prototype.toString.call(value) === '[object Error]';
}

/**
 * The cassette form of a thrown value.
 *
 * @example
 * recordError(new RangeError('no such city')); // { type: 'RangeError', message: 'no such city', module: 'builtins' }
 */
export function recordError(thrown: unknown): RecordedError {
  if (!isError(thrown)) return { type: 'NonError', message: String(thrown), value: encodeValue(thrown) };
  const className = (thrown as { constructor?: { name?: string } }).constructor?.name;
  const recorded: RecordedError = { type: thrown.name || className || 'Error', message: thrown.message };
  if (className && (BUILT_IN_ERRORS as readonly string[]).includes(className)) recorded.module = BUILT_IN_MODULE;
  const attrs: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(thrown)) {
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) attrs[key] = value;
  }
  if (Object.keys(attrs).length > 0) recorded.attrs = attrs;
  return recorded;
}

/**
 * The value to throw on replay, built with the classes of the calling realm
 * (so `toThrow(TypeError)` holds inside a Jest test).
 *
 * @example
 * throw rebuildError({ type: 'RangeError', message: 'no such city', module: 'builtins' });
 */
export function rebuildError(recorded: RecordedError): unknown {
  if (recorded.type === 'NonError' && 'value' in recorded) return decodeValue(recorded.value);
  const message = String(recorded.message ?? '');
  const builtIn = recorded.module === BUILT_IN_MODULE && (BUILT_IN_ERRORS as readonly string[]).includes(recorded.type) ? recorded.type : undefined;
  const Constructor = builtIn ? (globalThis as unknown as Record<string, ErrorConstructor>)[builtIn] : Error;
  const error = new Constructor(message);
  if (error.name !== recorded.type) {
    Object.defineProperty(error, 'name', { value: recorded.type, enumerable: false, configurable: true, writable: true });
  }
  const attrs = recorded.attrs;
  if (isJsonObject(attrs)) Object.assign(error, attrs);
  return error;
}
