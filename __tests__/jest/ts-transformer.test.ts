/**
 * The preset's TypeScript transform: creating it loads neither ts-jest nor the
 * TypeScript compiler; the first transform loads them, and from then on it
 * gives exactly what ts-jest gives, type errors included.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { REPO_ROOT } from '../support/packed-project';

// The built file the preset names (npm test builds first), run in a fresh process so nothing is preloaded.
const TRANSFORMER = path.join(REPO_ROOT, 'dist', 'jest', 'ts-transformer.js');

const CHILD = `
const fs = require('node:fs');
const path = require('node:path');
const [transformerPath, dir] = process.argv.slice(1);
const loaded = () => Object.keys(require.cache).filter((f) => /node_modules[\\\\/](ts-jest|typescript)[\\\\/]/.test(f)).length > 0;
const options = { diagnostics: { warnOnly: false }, tsconfig: { module: 'commonjs', target: 'es2022', strict: true } };
const lazy = require(transformerPath).default.createTransformer(options);
const afterCreate = { loaded: loaded(), tsJestVariable: process.env.TS_JEST, entryPoints: Object.keys(lazy).sort() };
const config = { rootDir: dir, cwd: dir, globals: {}, testMatch: [], testRegex: [], moduleFileExtensions: ['ts', 'js'], extensionsToTreatAsEsm: [], transform: [], setupFiles: [], setupFilesAfterEnv: [], testEnvironment: 'node', transformIgnorePatterns: [], cacheDirectory: path.join(dir, 'cache'), coveragePathIgnorePatterns: [] };
const transformOptions = { config, cacheFS: new Map(), configString: JSON.stringify(config), supportsStaticESM: false, supportsDynamicImport: false, supportsExportNamespaceFrom: false, supportsTopLevelAwait: false, instrument: false, transformerConfig: options };
const good = path.join(dir, 'good.ts');
fs.writeFileSync(good, 'const n: number = 2;\\nexport const double = (x: number): number => x * n;\\n');
const bad = path.join(dir, 'bad.ts');
fs.writeFileSync(bad, 'export const n: number = "two";\\n');
const errorOf = (fn) => { try { fn(); return undefined; } catch (error) { return error.message; } };
(async () => {
  // Jest calls getCacheKeyAsync detached from its object.
  const { getCacheKeyAsync } = lazy;
  const key = await getCacheKeyAsync(fs.readFileSync(good, 'utf8'), good, transformOptions);
  const afterFirstCall = loaded();
  const code = lazy.process(fs.readFileSync(good, 'utf8'), good, transformOptions).code;
  const asyncCode = (await lazy.processAsync(fs.readFileSync(good, 'utf8'), good, transformOptions)).code;
  const lazyError = errorOf(() => lazy.process(fs.readFileSync(bad, 'utf8'), bad, transformOptions));
  const tsJest = require(require.resolve('ts-jest', { paths: [path.dirname(transformerPath)] })).default.createTransformer(options);
  const direct = {
    key: tsJest.getCacheKey(fs.readFileSync(good, 'utf8'), good, transformOptions),
    code: tsJest.process(fs.readFileSync(good, 'utf8'), good, transformOptions).code,
    error: errorOf(() => tsJest.process(fs.readFileSync(bad, 'utf8'), bad, transformOptions)),
  };
  process.stdout.write(JSON.stringify({ afterCreate, afterFirstCall, key, code, asyncCode, lazyError, direct }));
})();
`;

test('ts-jest loads on the first transform, not before, and transforms as ts-jest does', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-ts-transformer-'));
  try {
    const env = { ...process.env };
    delete env.TS_JEST;
    const result = JSON.parse(execFileSync(process.execPath, ['-e', CHILD, TRANSFORMER, dir], { encoding: 'utf8', env }));
    expect(result.afterCreate).toEqual({ loaded: false, tsJestVariable: '1', entryPoints: ['getCacheKey', 'getCacheKeyAsync', 'process', 'processAsync'] });
    expect(result.afterFirstCall).toBe(true);
    expect(result.key).toBe(result.direct.key);
    expect(result.code).toBe(result.direct.code);
    expect(result.asyncCode).toBe(result.direct.code);
    expect(result.code).toContain('const double = (x) => x * n;');
    expect(result.lazyError).toBe(result.direct.error);
    expect(stripVTControlCharacters(result.lazyError)).toMatch(/TS2322: Type 'string' is not assignable to type 'number'/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
