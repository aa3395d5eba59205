/**
 * `recordCall`: routes one call of an agent boundary (tool, retrieval, memory)
 * through the active cassette. This module runs where the agent's code runs
 * (inside the Jest sandbox, or a plain script under `useCassette`) and reaches
 * the cassette through the bridge; outside AgentTape it just calls through.
 * Values are encoded and decoded here, so replayed Dates, Maps and errors
 * are built with the caller's own classes.
 */
import type { InteractionKind } from '../cassette/cassette-schema';
import type { Json } from '../json';
import { readBridge } from './session-bridge';
import { rebuildError, recordError } from '../boundaries/boundary-error';
import { decodeValue, encodeValue } from '../boundaries/boundary-value';

/** The request of a boundary call (see docs/boundaries.md). */
export interface BoundaryRequest {
  /** The boundary's name, e.g. `charge_card`. */
  name: string;
  /** The call's arguments. */
  args?: unknown;
}

/** Token usage of a call: a fixed value, or computed from the result. */
export type UsageOption<R> = { [key: string]: Json } | ((result: R) => { [key: string]: Json } | null | undefined);

/** Options of {@link recordCall}. */
export interface RecordCallOptions<R = unknown> {
  /** The boundary name matched on and shown in messages; defaults to `request.name`. */
  boundary?: string;
  /** Token usage stored with the interaction. */
  usage?: UsageOption<R>;
  /** Free-form tags stored with the interaction. */
  tags?: string[];
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function usageOf<R>(option: UsageOption<R> | undefined, result: R): { [key: string]: Json } | null {
  if (option === undefined) return null;
  if (typeof option !== 'function') return option;
  return (encodeValue(option(result) ?? null) as { [key: string]: Json } | null) ?? null;
}

/**
 * True for an `async` function: its replay answers with a promise too.
 *
 * @example
 * isAsyncFunction(async () => 1); // true
 * isAsyncFunction(() => Promise.resolve(1)); // false: it is not declared async
 */
export function isAsyncFunction(fn: unknown): boolean {
  return typeof fn === 'function' && Object.prototype.toString.call(fn) === '[object AsyncFunction]';
}

/**
 * Runs `executor` as one boundary call of the active cassette: recorded while
 * recording, served from the cassette on replay (the executor does not run;
 * a recorded error is thrown again), refused with `UnmatchedInteractionError`
 * when the cassette lacks it. Synchronous executors stay synchronous.
 *
 * @example
 * import { recordCall } from 'agenttape';
 * const rows = await recordCall('retrieval', { name: 'search_docs', args: [query] }, () => index.search(query), {
 *   tags: ['vector'],
 * });
 */
export function recordCall<T>(kind: InteractionKind, request: BoundaryRequest, executor: () => T, options: RecordCallOptions<Awaited<T>> = {}): T {
  const port = readBridge(globalThis)?.boundaries;
  if (!port) return executor();
  const boundary = options.boundary ?? request.name;
  const stored = encodeValue({ name: request.name, args: request.args === undefined ? [] : request.args }) as { [key: string]: Json };
  const start = port.begin({ kind, boundary, request: stored, tags: [...(options.tags ?? [])] });
  switch (start.action) {
    case 'passthrough':
      return executor();
    case 'refuse':
      if (isAsyncFunction(executor)) return Promise.reject(start.error) as T;
      throw start.error;
    case 'replay': {
      const async = start.async ?? isAsyncFunction(executor);
      if (start.error) {
        const error = rebuildError(start.error);
        if (async) return Promise.reject(error) as T;
        throw error;
      }
      const value = decodeValue(start.response);
      return (async ? Promise.resolve(value) : value) as T;
    }
    case 'execute': {
      let result: T;
      try {
        result = start.run(executor);
      } catch (error) {
        start.finish({ error: recordError(error), async: false });
        throw error;
      }
      if (!isThenable(result)) {
        start.finish({ response: encodeValue(result), usage: usageOf(options.usage, result as Awaited<T>), async: false });
        return result;
      }
      return Promise.resolve(result).then(
        (value) => {
          start.finish({ response: encodeValue(value), usage: usageOf(options.usage, value as Awaited<T>), async: true });
          return value;
        },
        (error: unknown) => {
          start.finish({ error: recordError(error), async: true });
          throw error;
        },
      ) as T;
    }
  }
}
