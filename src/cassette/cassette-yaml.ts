/**
 * The YAML form of a cassette (docs/format.md): no anchors or aliases, long
 * strings never folded, a trailing newline, keys in schema order.
 *
 * `parseCassette` never returns an empty cassette for a file it could not
 * read; it throws `CassetteCorruptError` naming the file and the line or
 * field, or `SchemaVersionError`.
 */
import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
import type { Node as YamlNode } from 'yaml';
import { CassetteCorruptError } from '../errors';
import { isJsonObject } from '../json';
import { ASSET_MARKER, inlineAssets } from './cassette-assets';
import { orderCassette, validateCassette, type CassetteDocument } from './cassette-schema';

/**
 * The `yaml` package, loaded on first use: it writes cassettes and reports
 * problems with lines and fields, but replaying cassettes that js-yaml reads
 * cleanly never needs it, and loading it costs ~40 ms in every Jest worker.
 */
function yamlPackage(): typeof import('yaml') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('yaml') as typeof import('yaml');
}

/**
 * Renders a cassette as YAML with stable key order and a trailing newline.
 *
 * @example
 * fs.writeFileSync(file, serializeCassette(doc));
 */
export function serializeCassette(doc: CassetteDocument): string {
  const ordered = orderCassette(doc);
  const text = yamlPackage().stringify(ordered, {
    aliasDuplicateObjects: false,
    lineWidth: 0,
    minContentWidth: 0,
    defaultStringType: 'PLAIN',
    defaultKeyType: 'PLAIN',
  });
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** Limits that keep a hostile file from exhausting the worker. */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses and validates cassette text. `file` labels errors, and locates the
 * payloads a Python-written cassette keeps beside it (src/cassette/cassette-assets.ts).
 *
 * @example
 * const doc = parseCassette(fs.readFileSync(file, 'utf8'), file);
 */
export function parseCassette(text: string, file: string): CassetteDocument {
  return parseCassetteQuickly(text, file) ?? parseCassetteThoroughly(text, file);
}

/**
 * js-yaml reads a large cassette about ten times faster, in a fraction of the
 * memory, than the `yaml` document model (a 10 MB cassette: ~0.26 s against
 * ~2.9 s). It serves files it reads cleanly and that validate; anything in
 * doubt — a syntax error, an unknown tag, a duplicate key, any anchor (so no
 * alias can be expanded later), an invalid field — returns undefined, and the
 * thorough parser decides and reports with lines and fields.
 */
function parseCassetteQuickly(text: string, file: string): CassetteDocument | undefined {
  const data = loadPlainYaml(text);
  if (data === IN_DOUBT) return undefined;
  return safelyValidate(data, file, text.includes(ASSET_MARKER));
}

/** What {@link loadPlainYaml} returns for text it will not vouch for. */
const IN_DOUBT = Symbol('in doubt');

/** js-yaml's reading of `text`, or IN_DOUBT on any error and on any anchor. */
function loadPlainYaml(text: string): unknown {
  let anchors: Record<string, unknown> | undefined;
  try {
    const data = loadYaml(text, {
      schema: CORE_SCHEMA,
      listener(_event, state) {
        anchors ??= (state as unknown as { anchorMap: Record<string, unknown> }).anchorMap;
      },
    });
    return anchors && Object.keys(anchors).length > 0 ? IN_DOUBT : data;
  } catch {
    return IN_DOUBT;
  }
}

const INTERACTIONS_LINE = /^interactions:[ \t]*(#.*)?\r?$/;
const FIRST_ITEM_LINE = /^( *)-( |\r?$)/;

/**
 * Parses a cassette from its lines, one interaction at a time, so a large
 * file is never held whole: the peak is the parsed document plus one
 * interaction's text, instead of the text, the parser's state and the
 * document at once.
 *
 * It relies on the block layout every writer of the format produces: a
 * top-level `interactions:` line, then items each starting with `- ` at one
 * indentation. YAML requires an item's other lines (block scalars and
 * multi-line strings included) to be indented deeper, so a line at that
 * indentation starting with `- ` always opens the next item. Anything else —
 * another layout, an anchor, a syntax error, an invalid field — returns
 * undefined, and the caller parses the whole text with {@link parseCassette},
 * which decides and reports with lines and fields.
 *
 * @example
 * const doc = parseCassetteLines(readLines(file), file) ?? parseCassette(fs.readFileSync(file, 'utf8'), file);
 */
export function parseCassetteLines(lines: Iterable<string>, file: string): CassetteDocument | undefined {
  const outside: string[] = [];
  const interactions: unknown[] = [];
  let item: string[] | undefined;
  let itemPrefix: string | undefined;
  let phase: 'header' | 'items' | 'trailer' = 'header';
  let assets = false;
  const flushItem = (): boolean => {
    if (!item) return true;
    const parsed = loadPlainYaml(item.join('\n'));
    item = undefined;
    if (!Array.isArray(parsed) || parsed.length !== 1) return false;
    interactions.push(parsed[0]);
    return true;
  };
  for (const line of lines) {
    assets ||= line.includes(ASSET_MARKER);
    if (phase === 'header') {
      if (INTERACTIONS_LINE.test(line)) phase = 'items';
      else outside.push(line);
      continue;
    }
    if (phase === 'trailer') {
      outside.push(line);
      continue;
    }
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed === '\r' || trimmed.startsWith('#')) {
      item?.push(line);
      continue;
    }
    if (itemPrefix === undefined) {
      const first = FIRST_ITEM_LINE.exec(line);
      if (!first) return undefined;
      itemPrefix = `${first[1]}-`;
    }
    const rest = line.startsWith(itemPrefix) ? line.slice(itemPrefix.length) : undefined;
    if (rest !== undefined && (rest === '' || rest === '\r' || rest.startsWith(' '))) {
      if (!flushItem()) return undefined;
      item = [line];
    } else if (line.length - trimmed.length >= itemPrefix.length) {
      item?.push(line);
    } else {
      phase = 'trailer';
      outside.push(line);
    }
  }
  if (!flushItem()) return undefined;
  const root = loadPlainYaml(outside.join('\n'));
  if (root === IN_DOUBT) return undefined;
  // No `interactions:` line: the whole text was read as one (say `interactions: []`).
  if (phase === 'header') return safelyValidate(root, file, assets);
  if (root !== null && (!isJsonObject(root) || 'interactions' in root)) return undefined;
  return safelyValidate({ ...(root ?? {}), interactions }, file, assets);
}

/**
 * Validates, after putting back the payloads kept beside the cassette when its
 * text names any (only Python-written cassettes do, so others are not walked).
 */
function safelyValidate(data: unknown, file: string, assets: boolean): CassetteDocument | undefined {
  try {
    return validateCassette(assets ? inlineAssets(data, file) : data, file);
  } catch {
    return undefined;
  }
}

function parseCassetteThoroughly(text: string, file: string): CassetteDocument {
  const { LineCounter, parseDocument } = yamlPackage();
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    lineCounter,
    prettyErrors: true,
    uniqueKeys: true,
    strict: true,
  });
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem) {
    const where = problem.linePos ? `line ${problem.linePos[0].line}, column ${problem.linePos[0].col}` : 'unknown line';
    // prettyErrors appends the position and a colon; the position is already given once.
    const firstLine = problem.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new CassetteCorruptError(
      `Cassette ${file} is not valid YAML (${where}): ${firstLine}\n` +
        'The file was left untouched. Fix it by hand, restore it from version control, or delete it and re-record.',
    );
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new CassetteCorruptError(`Cassette ${file} could not be read: ${(error as Error).message}`);
  }
  const lineOf = (path: (string | number)[]): string => {
    const node = document.getIn(path, true) as YamlNode | undefined;
    const offset = node?.range?.[0];
    return offset === undefined ? '' : ` (line ${lineCounter.linePos(offset).line})`;
  };
  return validateCassette(text.includes(ASSET_MARKER) ? inlineAssets(data, file, lineOf) : data, file, lineOf);
}

