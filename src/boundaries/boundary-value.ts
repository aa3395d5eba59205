/**
 * Arguments and results of boundaries as cassette data. Plain data (null,
 * booleans, finite numbers, strings, arrays, plain objects) is stored as is;
 * everything else becomes a tagged mapping `{ $type: …, … }` so that the same
 * call gives the same stored request on every run and replay returns a value
 * of the same shape. See docs/boundaries.md for what is kept.
 *
 * The checks are realm-independent (`Object.prototype.toString`, prototype
 * depth) because arguments may come from the Jest sandbox or the outer realm.
 */
import { isJsonObject, type Json, type JsonObject } from '../json';

/** The key that marks a tagged value. */
const TYPE_KEY = '$type';

const tagOf = (value: object): string => Object.prototype.toString.call(value).slice(8, -1);

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function toBase64(view: ArrayBufferView | ArrayBuffer): string {
  const bytes = view instanceof ArrayBuffer || tagOf(view) === 'ArrayBuffer' ? new Uint8Array(view as ArrayBuffer) : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  return Buffer.from(bytes).toString('base64');
}

function encodeNumber(value: number): Json {
  return Number.isFinite(value) ? value : { [TYPE_KEY]: 'Number', value: String(value) };
}

/**
 * Converts any value to stable cassette data.
 *
 * @example
 * encodeValue({ at: new Date(0), ids: new Set([1]) });
 * // { at: { $type: 'Date', value: '1970-01-01T00:00:00.000Z' }, ids: { $type: 'Set', values: [1] } }
 */
export function encodeValue(value: unknown): Json {
  return encodeAt(value, '$', new Map());
}

function encodeAt(value: unknown, path: string, ancestors: Map<object, string>): Json {
  switch (typeof value) {
    case 'undefined':
      return { [TYPE_KEY]: 'undefined' };
    case 'boolean':
    case 'string':
      return value;
    case 'number':
      return encodeNumber(value);
    case 'bigint':
      return { [TYPE_KEY]: 'BigInt', value: value.toString() };
    case 'symbol':
      return { [TYPE_KEY]: 'Symbol', description: value.description ?? null };
    case 'function':
      return { [TYPE_KEY]: 'Function', name: value.name };
    default:
      break;
  }
  if (value === null) return null;
  const object = value as object;
  const seen = ancestors.get(object);
  if (seen !== undefined) return { [TYPE_KEY]: 'Circular', path: seen };
  ancestors.set(object, path);
  try {
    return encodeObject(object, path, ancestors);
  } finally {
    ancestors.delete(object);
  }
}

function encodeEntries(object: object, path: string, ancestors: Map<object, string>): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(object)) out[key] = encodeAt((object as Record<string, unknown>)[key], `${path}.${key}`, ancestors);
  return out;
}

function encodeObject(object: object, path: string, ancestors: Map<object, string>): Json {
  const tag = tagOf(object);
  if (Array.isArray(object)) return object.map((item, i) => encodeAt(item, `${path}[${i}]`, ancestors));
  if (Buffer.isBuffer(object)) return { [TYPE_KEY]: 'Buffer', base64: object.toString('base64') };
  if (ArrayBuffer.isView(object)) return { [TYPE_KEY]: tag, base64: toBase64(object) };
  switch (tag) {
    case 'Date': {
      const time = (object as Date).getTime();
      return { [TYPE_KEY]: 'Date', value: Number.isNaN(time) ? 'Invalid Date' : (object as Date).toISOString() };
    }
    case 'Map':
      return {
        [TYPE_KEY]: 'Map',
        entries: [...(object as Map<unknown, unknown>).entries()].map(([k, v], i) => [encodeAt(k, `${path}.keys[${i}]`, ancestors), encodeAt(v, `${path}.values[${i}]`, ancestors)]),
      };
    case 'Set':
      return { [TYPE_KEY]: 'Set', values: [...(object as Set<unknown>).values()].map((v, i) => encodeAt(v, `${path}.values[${i}]`, ancestors)) };
    case 'RegExp':
      return { [TYPE_KEY]: 'RegExp', source: (object as RegExp).source, flags: (object as RegExp).flags };
    case 'ArrayBuffer':
      return { [TYPE_KEY]: 'ArrayBuffer', base64: toBase64(object as ArrayBuffer) };
    case 'Error': {
      const error = object as Error;
      return { [TYPE_KEY]: 'Error', name: error.name, message: error.message, fields: encodeEntries(error, path, ancestors) };
    }
    default:
      break;
  }
  const fields = encodeEntries(object, path, ancestors);
  if (isPlainObject(object)) return TYPE_KEY in fields ? { [TYPE_KEY]: 'Object', fields } : fields;
  const name = (object as { constructor?: { name?: string } }).constructor?.name || 'Object';
  return { [TYPE_KEY]: 'Instance', class: name, fields };
}

/**
 * Rebuilds a value stored by {@link encodeValue}. Class instances come back as
 * plain objects with their fields (the class itself cannot be recovered).
 *
 * @example
 * decodeValue({ $type: 'Date', value: '1970-01-01T00:00:00.000Z' }); // Date(0)
 */
export function decodeValue(stored: Json | undefined): unknown {
  return decodeAt(stored, '$', new Map());
}

function decodeFields(fields: Json | undefined, path: string, target: Record<string, unknown>, built: Map<string, unknown>): void {
  if (!isJsonObject(fields)) return;
  for (const [key, value] of Object.entries(fields)) target[key] = decodeAt(value, `${path}.${key}`, built);
}

function decodeAt(stored: Json | undefined, path: string, built: Map<string, unknown>): unknown {
  if (stored === undefined) return undefined;
  if (stored === null || typeof stored !== 'object') return stored;
  if (Array.isArray(stored)) {
    const out: unknown[] = [];
    built.set(path, out);
    stored.forEach((item, i) => out.push(decodeAt(item, `${path}[${i}]`, built)));
    return out;
  }
  const type = stored[TYPE_KEY];
  if (typeof type !== 'string') {
    const out: Record<string, unknown> = {};
    built.set(path, out);
    decodeFields(stored, path, out, built);
    return out;
  }
  const text = (key: string) => String(stored[key] ?? '');
  switch (type) {
    case 'undefined':
      return undefined;
    case 'Number':
      return Number(text('value'));
    case 'BigInt':
      return BigInt(text('value'));
    case 'Symbol':
      return Symbol(stored.description === null ? undefined : text('description'));
    case 'Function': {
      const name = text('name');
      return () => {
        throw new Error(`AgentTape cannot replay a function: "${name || 'anonymous'}" was returned by a boundary while recording. Return data instead.`);
      };
    }
    case 'Circular':
      return built.get(text('path'));
    case 'Date':
      return new Date(text('value') === 'Invalid Date' ? NaN : text('value'));
    case 'Buffer':
      return Buffer.from(text('base64'), 'base64');
    case 'ArrayBuffer': {
      const bytes = Buffer.from(text('base64'), 'base64');
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    }
    case 'RegExp':
      return new RegExp(text('source'), text('flags'));
    case 'Map': {
      const map = new Map<unknown, unknown>();
      built.set(path, map);
      const entries = Array.isArray(stored.entries) ? stored.entries : [];
      entries.forEach((entry, i) => {
        const [k, v] = Array.isArray(entry) ? entry : [];
        map.set(decodeAt(k, `${path}.keys[${i}]`, built), decodeAt(v, `${path}.values[${i}]`, built));
      });
      return map;
    }
    case 'Set': {
      const set = new Set<unknown>();
      built.set(path, set);
      const values = Array.isArray(stored.values) ? stored.values : [];
      values.forEach((v, i) => set.add(decodeAt(v, `${path}.values[${i}]`, built)));
      return set;
    }
    case 'Error': {
      const error = new Error(text('message'));
      error.name = text('name');
      built.set(path, error);
      decodeFields(stored.fields, path, error as unknown as Record<string, unknown>, built);
      return error;
    }
    case 'Object':
    case 'Instance': {
      const out: Record<string, unknown> = {};
      built.set(path, out);
      decodeFields(stored.fields, path, out, built);
      return out;
    }
    default: {
      const typed = TYPED_ARRAYS[type];
      if (typed) {
        const bytes = Buffer.from(text('base64'), 'base64');
        const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
        return type === 'DataView' ? new DataView(copy) : new typed(copy);
      }
      const out: Record<string, unknown> = {};
      decodeFields(stored, path, out, built);
      return out;
    }
  }
}

type TypedArrayConstructor = new (buffer: ArrayBuffer) => ArrayBufferView;

const TYPED_ARRAYS: Record<string, TypedArrayConstructor | undefined> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  DataView,
};
