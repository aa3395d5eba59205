/**
 * Maps a test to its cassette file: `<cassetteDir>/<test file relative to
 * rootDir>/<full test name>.yaml`. Paths stay readable — only characters that
 * file systems reject are replaced — because people review cassettes in pull
 * requests and find them by test name.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';

/** The cassette name used for requests made outside any test (module scope, beforeAll, afterAll). */
export const FILE_SCOPE_NAME = '__file__';

/** The extension of cassette files. */
const CASSETTE_EXTENSION = '.yaml';

// Windows-reserved characters, path separators and control characters.
const UNSAFE_CHARACTERS = /[<>:"/\\|?*\u0000-\u001f\u007f]/g;
// File systems cap a name at 255 bytes; leave room for a collision suffix and the extension.
const MAX_NAME_BYTES = 180;

/**
 * Turns a full test name into a safe, readable file name (without extension).
 *
 * @example
 * toCassetteFileName('weather answers in °C'); // 'weather answers in °C'
 * toCassetteFileName('a/b: c?');                // 'a_b_ c_'
 */
export function toCassetteFileName(testName: string): string {
  let name = testName.replace(UNSAFE_CHARACTERS, '_').replace(/[. ]+$/, '').trim();
  if (name === '' || name === '.' || name === '..') name = '_';
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) {
    const digest = createHash('sha256').update(testName).digest('hex').slice(0, 8);
    let cut = name;
    while (Buffer.byteLength(cut) > MAX_NAME_BYTES - 9) cut = cut.slice(0, -1);
    name = `${cut}~${digest}`;
  }
  return name;
}

/** Where a test file's cassettes live. */
export interface CassetteLocation {
  /** Absolute folder holding all cassettes, e.g. `<rootDir>/cassettes`. */
  cassetteDir: string;
  /** Jest's rootDir. */
  rootDir: string;
  /** Absolute path of the test file. */
  testPath: string;
}

/**
 * The folder that holds one test file's cassettes.
 *
 * @example
 * cassetteFolder({ cassetteDir: '/p/cassettes', rootDir: '/p', testPath: '/p/src/a.test.ts' });
 * // '/p/cassettes/src/a.test.ts'
 */
export function cassetteFolder(location: CassetteLocation): string {
  let relative = path.relative(location.rootDir, location.testPath);
  // A test file outside rootDir must not escape the cassette folder.
  if (relative.startsWith('..') || path.isAbsolute(relative)) relative = path.basename(location.testPath);
  return path.join(location.cassetteDir, relative);
}

/**
 * The cassette file of one test, given the file name chosen for it (and the
 * extension of the configured format).
 *
 * @example
 * cassettePath(location, 'weather > answers'); // '/p/cassettes/src/a.test.ts/weather > answers.yaml'
 */
export function cassettePath(location: CassetteLocation, fileName: string, extension = CASSETTE_EXTENSION): string {
  return path.join(cassetteFolder(location), fileName + extension);
}

/**
 * Hands out distinct file names for the tests of one file, in the order they
 * run: two tests whose names collide (the same name, or names that differ only
 * in replaced characters or letter case) get `name`, `name (2)`, `name (3)`.
 *
 * @example
 * const names = new CassetteNameAllocator();
 * names.allocate('a?'); // 'a_'
 * names.allocate('a*'); // 'a_ (2)'
 */
export class CassetteNameAllocator {
  private readonly taken = new Map<string, number>();
  private readonly byTest = new Map<string, string>();

  constructor() {
    this.taken.set(FILE_SCOPE_NAME.toLowerCase(), 1);
  }

  /** The file name of the n-th test with this full name (retries of a test reuse its name). */
  allocate(testName: string, occurrence = 1): string {
    const id = `${occurrence}\u0000${testName}`;
    const known = this.byTest.get(id);
    if (known !== undefined) return known;
    const base = toCassetteFileName(testName);
    const key = base.toLowerCase();
    const count = (this.taken.get(key) ?? 0) + 1;
    this.taken.set(key, count);
    const name = count === 1 ? base : `${base} (${count})`;
    this.taken.set(name.toLowerCase(), Math.max(this.taken.get(name.toLowerCase()) ?? 0, 1));
    this.byTest.set(id, name);
    return name;
  }
}

/**
 * Where a partial replay writes its run (see docs/boundaries.md, "Partial replay"): beside the cassette, which
 * stays byte-identical.
 *
 * @example
 * derivedCassettePath('/p/cassettes/a.test.ts/answers.yaml'); // '/p/cassettes/a.test.ts/answers.derived.yaml'
 */
export function derivedCassettePath(file: string): string {
  const match = /\.(yaml|json)$/.exec(file);
  const extension = match ? match[0] : CASSETTE_EXTENSION;
  const base = match ? file.slice(0, -extension.length) : file;
  return `${base}.derived${extension}`;
}
