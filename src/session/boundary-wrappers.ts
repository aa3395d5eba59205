/**
 * `tool`, `retrieval`, `memoryRead`, `memoryWrite` (see docs/boundaries.md): wrap a sync or
 * async function so every call is one interaction of the cassette, with
 * request `{ name, args }`. The kind is the only difference between them.
 */
import type { InteractionKind } from '../cassette/cassette-schema';
import { isAsyncFunction, recordCall, type RecordCallOptions } from './record-call';

/** Options shared by the wrappers. */
export type BoundaryOptions<R> = Omit<RecordCallOptions<R>, 'boundary'>;

type AnyFunction = (...args: never[]) => unknown;

function wrapBoundary<F extends AnyFunction>(kind: InteractionKind, name: string, fn: F, options: BoundaryOptions<Awaited<ReturnType<F>>> = {}): F {
  if (typeof name !== 'string' || name === '') throw new TypeError(`AgentTape: ${kind} boundaries need a non-empty name as first argument, got ${JSON.stringify(name)}.`);
  if (typeof fn !== 'function') throw new TypeError(`AgentTape: ${kind} boundary "${name}" needs a function as second argument, got ${typeof fn}.`);
  const wrapped = function (this: unknown, ...args: unknown[]) {
    return recordCall(kind, { name, args }, () => Reflect.apply(fn, this, args) as ReturnType<F>, { ...options, boundary: name });
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name || name });
  Object.defineProperty(wrapped, 'length', { value: fn.length });
  // The replay path answers with a promise when the original is an async function.
  if (isAsyncFunction(fn)) {
    const asyncWrapped = async function (this: unknown, ...args: unknown[]) {
      return wrapped.apply(this, args);
    };
    Object.defineProperty(asyncWrapped, 'name', { value: fn.name || name });
    Object.defineProperty(asyncWrapped, 'length', { value: fn.length });
    return asyncWrapped as unknown as F;
  }
  return wrapped as unknown as F;
}

/**
 * Wraps a tool: in replay it never runs (no payment, no e-mail, no write);
 * its recorded result is returned or its recorded error thrown again.
 *
 * @example
 * import { tool } from 'agenttape';
 * const chargeCard = tool('charge_card', async (cents: number) => stripe.charges.create({ amount: cents }));
 */
export function tool<F extends AnyFunction>(name: string, fn: F, options?: BoundaryOptions<Awaited<ReturnType<F>>>): F {
  return wrapBoundary('tool', name, fn, options);
}

/**
 * Wraps a retrieval step (vector search, document lookup).
 *
 * @example
 * const searchDocs = retrieval('search_docs', (query: string) => index.search(query, { k: 5 }));
 */
export function retrieval<F extends AnyFunction>(name: string, fn: F, options?: BoundaryOptions<Awaited<ReturnType<F>>>): F {
  return wrapBoundary('retrieval', name, fn, options);
}

/**
 * Wraps a read from the agent's memory store.
 *
 * @example
 * const recall = memoryRead('recall', async (userId: string) => db.memories.find({ userId }));
 */
export function memoryRead<F extends AnyFunction>(name: string, fn: F, options?: BoundaryOptions<Awaited<ReturnType<F>>>): F {
  return wrapBoundary('memory_read', name, fn, options);
}

/**
 * Wraps a write to the agent's memory store.
 *
 * @example
 * const remember = memoryWrite('remember', async (userId: string, fact: string) => db.memories.insert({ userId, fact }));
 */
export function memoryWrite<F extends AnyFunction>(name: string, fn: F, options?: BoundaryOptions<Awaited<ReturnType<F>>>): F {
  return wrapBoundary('memory_write', name, fn, options);
}
