/**
 * Finding cassette files for the command line: a path to a file or folder, or
 * a cassette name looked up under `cassetteDir` (the test name as it appears
 * in the file name, with or without the test file's folder).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CASSETTE_FORMATS, cassetteStem, extensionOf, listCassetteFiles, toCassetteFileName } from '../cassette/cassette-path';
import { CassetteNotFoundError } from '../errors';

/**
 * Resolves one command-line argument to cassette files: an existing file, a
 * folder (every cassette in it), a path relative to `cassetteDir`, or a test
 * name. Throws `CassetteNotFoundError` when nothing fits.
 *
 * @example
 * resolveCassetteArgument('weather answers', '/p/cassettes', '/p'); // ['/p/cassettes/a.test.ts/weather answers.yaml']
 */
export function resolveCassetteArgument(argument: string, cassetteDir: string, cwd: string): string[] {
  const direct = path.resolve(cwd, argument);
  if (fs.existsSync(direct)) return fs.statSync(direct).isDirectory() ? listCassetteFiles(direct) : [direct];
  const underDir = path.resolve(cassetteDir, argument);
  for (const candidate of [underDir, ...CASSETTE_FORMATS.map((format) => underDir + extensionOf(format))]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return [candidate];
  }
  const wanted = toCassetteFileName(argument).toLowerCase();
  const byName = listCassetteFiles(cassetteDir).filter((file) => {
    const stem = cassetteStem(file).toLowerCase();
    return stem === wanted || stem === argument.toLowerCase();
  });
  if (byName.length > 0) return byName;
  throw new CassetteNotFoundError(
    `no cassette matches "${argument}": it is not a file, and ${path.relative(cwd, cassetteDir) || '.'} holds no cassette of that name. ` +
      'Pass a cassette file path, or run the command from the project root so the configured cassetteDir is found.',
  );
}

/**
 * Resolves every argument, keeping the order and dropping duplicates.
 *
 * @example
 * resolveCassetteArguments(['a.yaml', 'works'], config.cassetteDir, process.cwd());
 */
export function resolveCassetteArguments(argumentsList: string[], cassetteDir: string, cwd: string): string[] {
  const files = argumentsList.flatMap((argument) => resolveCassetteArgument(argument, cassetteDir, cwd));
  return [...new Set(files)];
}
