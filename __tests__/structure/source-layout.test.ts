/**
 * The layout rules of src/ (see docs/architecture.md): imports run one way
 * and never in a circle, the engine speaks no host's words, no file outgrows
 * what one reader holds in mind, every export is documented, and the code
 * and docs cite only what is in the repository.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const SRC = path.join(ROOT, 'src');

function filesUnder(dir: string, extension: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full, extension);
    return entry.name.endsWith(extension) ? [full] : [];
  });
}

const sources = filesUnder(SRC, '.ts');
const relative = (file: string) => path.relative(SRC, file).split(path.sep).join('/');

/** Every relative module a source file imports or requires, type-only imports included. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found = new Set<string>();
  for (const match of text.matchAll(/(?:\bfrom\s+|\brequire\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm)) {
    const target = path.resolve(path.dirname(file), match[1]);
    const candidates = [`${target}.ts`, path.join(target, 'index.ts')];
    const resolved = candidates.find((candidate) => fs.existsSync(candidate));
    if (resolved) found.add(resolved);
  }
  return [...found];
}

const graph = new Map(sources.map((file) => [file, importsOf(file)]));

test('no import circle in src/, type-only imports included', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].map(relative).join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of sources) if (!state.has(file)) visit(file);
  expect(cycles).toEqual([]);
});

/**
 * The layers of docs/architecture.md, top first: a module imports from its own
 * row or below, never above (type-only imports included).
 */
const LAYERS: string[][] = [
  ['jest', 'cli', 'index.ts', 'register.ts', 'use-cassette.ts', 'script-cassette.ts'],
  ['session', 'tools'],
  ['http', 'boundaries', 'freeze', 'usage'],
  ['report'],
  ['engine'],
  ['redact'],
  ['cassette', 'config', 'errors.ts', 'json.ts', 'version.ts'],
];
const layerOf = (file: string): number => {
  const top = relative(file).split('/')[0];
  const row = LAYERS.findIndex((names) => names.includes(top));
  if (row < 0) throw new Error(`src/${top} is in no layer of docs/architecture.md: add it to LAYERS and the picture`);
  return row;
};

test('no import runs up the layers', () => {
  const upward = [...graph].flatMap(([file, imports]) => imports.filter((target) => layerOf(target) < layerOf(file)).map((target) => `${relative(file)} imports ${relative(target)}`));
  expect(upward).toEqual([]);
});

test('only the Jest adapter and the package entry import from src/jest/', () => {
  const upward = [...graph].flatMap(([file, imports]) =>
    relative(file).startsWith('jest/') || relative(file) === 'index.ts' ? [] : imports.filter((target) => relative(target).startsWith('jest/')).map((target) => `${relative(file)} -> ${relative(target)}`),
  );
  expect(upward).toEqual([]);
});

test('the engine speaks no host words: no jest, npx or @agenttape- pragma in src/engine/', () => {
  const words = filesUnder(path.join(SRC, 'engine'), '.ts').flatMap((file) =>
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) => (/jest|npx|@agenttape-/i.test(line) ? [`${relative(file)}:${i + 1}: ${line.trim()}`] : [])),
  );
  expect(words).toEqual([]);
});

test('no source file is longer than 350 lines', () => {
  const long = sources.map((file) => ({ file: relative(file), lines: fs.readFileSync(file, 'utf8').split('\n').length - 1 })).filter(({ lines }) => lines > 350);
  expect(long).toEqual([]);
});

test('code and docs cite the repository only: no outside spec, no issue number', () => {
  const files = [...sources, ...filesUnder(path.join(ROOT, 'docs'), '.md'), path.join(ROOT, 'README.md')];
  const citations = files.flatMap((file) =>
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) => (/\bSPEC\b|§\s?\d|\b[Ii]ssues? #?\d+\b/.test(line) ? [`${path.relative(ROOT, file)}:${i + 1}: ${line.trim()}`] : [])),
  );
  expect(citations).toEqual([]);
});

/** The TSDoc block right above line `i`, or undefined when there is none. */
function docAbove(lines: string[], i: number): string | undefined {
  let end = i - 1;
  while (end >= 0 && lines[end].trim() === '') end--;
  if (end < 0 || !lines[end].trim().endsWith('*/')) return undefined;
  let start = end;
  while (start > 0 && !lines[start].trim().startsWith('/**')) start--;
  return lines[start].trim().startsWith('/**') ? lines.slice(start, end + 1).join('\n') : undefined;
}

test('every exported function, class and constant has TSDoc with an @example; every exported type says what it holds', () => {
  const missing = sources.flatMap((file) => {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    return lines.flatMap((line, i) => {
      const declared = /^export (?:default )?(?:async )?(?:abstract )?(function\*?|class|const|interface|type) (?!\{)/.exec(line);
      if (!declared) return [];
      const doc = docAbove(lines, i);
      const needsExample = !['interface', 'type'].includes(declared[1]);
      return doc && (!needsExample || doc.includes('@example')) ? [] : [`${relative(file)}:${i + 1}: ${line.trim().slice(0, 80)}`];
    });
  });
  expect(missing).toEqual([]);
});
