/**
 * The preset's TypeScript transform: ts-jest, loaded the first time a file is
 * actually transformed. Jest loads every configured transformer when a
 * process starts (the parent, and each worker), and ts-jest imports the
 * TypeScript compiler at load (~0.35 s of CPU): a suite of JavaScript tests
 * under the preset paid that in every process for a transform it never used.
 * TypeScript files are transformed by ts-jest exactly as before.
 */
import type { TransformOptions, TransformedSource } from '@jest/transform';

type TsJestTransformer = ReturnType<(typeof import('ts-jest'))['default']['createTransformer']>;

/** The transformer Jest gets: ts-jest's four entry points, each creating ts-jest on first call. */
export interface LazyTsJestTransformer {
  getCacheKey(sourceText: string, sourcePath: string, options: TransformOptions): string;
  getCacheKeyAsync(sourceText: string, sourcePath: string, options: TransformOptions): Promise<string>;
  process(sourceText: string, sourcePath: string, options: TransformOptions): TransformedSource;
  processAsync(sourceText: string, sourcePath: string, options: TransformOptions): Promise<TransformedSource>;
}

/**
 * Jest's transformer factory: what `createTransformer` of ts-jest returns,
 * created lazily with the same options (the preset's `transform` entry).
 *
 * @example
 * // jest.config.js (the preset does this for you)
 * module.exports = { transform: { '^.+\\.tsx?$': ['agenttape/dist/jest/ts-transformer.js', { diagnostics: { warnOnly: false } }] } };
 */
export function createTransformer(tsJestOptions?: unknown): LazyTsJestTransformer {
  // ts-jest's constructor sets this; code in the sandbox may read it, so it stays set from the start.
  process.env.TS_JEST = '1';
  let tsJest: TsJestTransformer | undefined;
  const load = (): TsJestTransformer => {
    tsJest ??= (require('ts-jest') as typeof import('ts-jest')).default.createTransformer(tsJestOptions as never);
    return tsJest;
  };
  // Closures, not methods: Jest calls getCacheKeyAsync detached from its object.
  return {
    getCacheKey: (sourceText, sourcePath, options) => load().getCacheKey(sourceText, sourcePath, options as never),
    getCacheKeyAsync: (sourceText, sourcePath, options) => load().getCacheKeyAsync(sourceText, sourcePath, options as never),
    process: (sourceText, sourcePath, options) => load().process(sourceText, sourcePath, options as never),
    processAsync: (sourceText, sourcePath, options) => load().processAsync(sourceText, sourcePath, options as never),
  };
}

export default { createTransformer };
