/**
 * Maps a test to its cassette file: `<cassetteDir>/<test file relative to
 * rootDir>/<full test name>.yaml`. Paths stay readable — only characters that
 * file systems reject are replaced — because people review cassettes in pull
 * requests and find them by test name. Also which files under a folder are
 * cassettes, for the tools and the run summary.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The cassette name used for requests made outside any test (module scope, beforeAll, afterAll).
 *
 * @example
 * cassettePath(location, FILE_SCOPE_NAME); // '…/cassettes/a.test.ts/__file__.yaml'
 */
export const FILE_SCOPE_NAME = '__file__';

/**
 * The extension new cassettes get unless the JSON format is configured.
 *
 * @example
 * cassettePath(location, 'works', CASSETTE_EXTENSION); // '…/works.yaml'
 */
const CASSETTE_EXTENSION = '.yaml';

/**
 * The extensions a cassette file may have when it is read or listed: any letter
 * case of `.yaml`, `.yml` or `.json` (hand-written and Python-written
 * cassettes too, docs/format.md). Writers only ever produce `.yaml` or `.json`.
 */
const CASSETTE_FILE_EXTENSION = /\.(ya?ml|json)$/i;

/** What a partial replay inserts before the extension (docs/boundaries.md, "Partial replay"). */
const DERIVED_SUFFIX = '.derived';

/**
 * True for a file name with a cassette extension that is not hidden (temporary
 * files of atomic writes start with a dot).
 *
 * @example
 * isCassetteFileName('works.yaml');   // true
 * isCassetteFileName('.works.yaml.1234.tmp'); // false
 */
function isCassetteFileName(name: string): boolean {
  return CASSETTE_FILE_EXTENSION.test(name) && !path.basename(name).startsWith('.');
}

/**
 * Every cassette file under a folder, sorted; none when the folder is absent.
 *
 * @example
 * listCassetteFiles('/p/cassettes'); // ['/p/cassettes/a.test.ts/works.yaml']
 */
export function listCassetteFiles(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  const entries = fs.readdirSync(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && isCassetteFileName(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/**
 * A cassette file's name without folder and cassette extension.
 *
 * @example
 * cassetteStem('cassettes/a.test.ts/works.derived.yaml'); // 'works.derived'
 */
export function cassetteStem(file: string): string {
  return path.basename(file).replace(CASSETTE_FILE_EXTENSION, '');
}

/**
 * The name of the cassette a file belongs to: its stem, a derived cassette
 * counting as the one it was derived from.
 *
 * @example
 * cassetteNameOf('cassettes/a.test.ts/works.derived.yaml'); // 'works'
 */
export function cassetteNameOf(file: string): string {
  const stem = cassetteStem(file);
  return stem.endsWith(DERIVED_SUFFIX) ? stem.slice(0, -DERIVED_SUFFIX.length) : stem;
}

/**
 * The file formats a cassette may be stored in.
 *
 * @example
 * CASSETTE_FORMATS.includes(config.format); // true
 */
export const CASSETTE_FORMATS = ['yaml', 'json'] as const;

/** One of {@link CASSETTE_FORMATS}. */
export type CassetteFormat = (typeof CASSETTE_FORMATS)[number];

/**
 * The file extension of a format.
 *
 * @example
 * extensionOf('json'); // '.json'
 */
export function extensionOf(format: CassetteFormat): string {
  return format === 'json' ? '.json' : CASSETTE_EXTENSION;
}

/**
 * The format a cassette file is stored in, from its extension (`.json`, else YAML).
 *
 * @example
 * formatOfFile('cassettes/a.test.ts/works.json'); // 'json'
 */
export function formatOfFile(file: string): CassetteFormat {
  return file.toLowerCase().endsWith('.json') ? 'json' : 'yaml';
}

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
  let name = testName
    .replace(UNSAFE_CHARACTERS, '_')
    .replace(/[. ]+$/, '')
    .trim();
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
  const match = CASSETTE_FILE_EXTENSION.exec(file);
  const extension = match ? match[0] : CASSETTE_EXTENSION;
  const base = match ? file.slice(0, -extension.length) : file;
  return `${base}${DERIVED_SUFFIX}${extension}`;
}

/**
 * The folder the payloads of a Python-written cassette are kept in: its name
 * without the extension, plus `.assets` (docs/python-interop.md).
 *
 * @example
 * assetsFolderOf('cassettes/a.test.js/works.yaml'); // 'cassettes/a.test.js/works.assets'
 */
export function assetsFolderOf(file: string): string {
  return path.join(path.dirname(file), `${path.basename(file, path.extname(file))}.assets`);
}
