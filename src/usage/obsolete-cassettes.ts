/**
 * Obsolete cassettes: files no test uses any more. A cassette is obsolete when
 * its test file was deleted, or when its test file ran completely and no test
 * (counting skipped, failed and `-t`-filtered tests as users) opened it.
 * Cassettes of test files that have not run are never called obsolete.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cassetteNameOf, listCassetteFiles, toCassetteFileName } from '../cassette/cassette-path';
import type { TestFileUsage } from './cassette-usage';

/** The verdict on a project's cassettes. */
export interface ObsoleteReport {
  /** Absolute paths of cassettes no test uses. */
  obsolete: string[];
  /** Cassettes whose test file exists but has no complete usage record: run Jest to decide. */
  unknown: string[];
  /** Cassettes in use. */
  used: number;
}

const COLLISION_SUFFIX = / \(\d+\)$/;

function isUsed(file: string, usedStems: Set<string>, skipped: Set<string>): boolean {
  const stem = cassetteNameOf(file);
  if (usedStems.has(stem)) return true;
  return skipped.has(stem.replace(COLLISION_SUFFIX, '').toLowerCase());
}

/**
 * Sorts a project's cassettes into used, obsolete and unknown.
 *
 * @example
 * const { obsolete } = findObsoleteCassettes({ rootDir, cassetteDir, usages: readTestFileUsages(rootDir) });
 */
export function findObsoleteCassettes(input: { rootDir: string; cassetteDir: string; usages: TestFileUsage[] }): ObsoleteReport {
  const byTestPath = new Map(input.usages.filter((u) => u.complete).map((u) => [path.resolve(u.testPath), u]));
  const report: ObsoleteReport = { obsolete: [], unknown: [], used: 0 };
  const prepared = new Map<TestFileUsage, { usedStems: Set<string>; skipped: Set<string> }>();
  for (const file of listCassetteFiles(input.cassetteDir)) {
    const testFile = path.relative(input.cassetteDir, path.dirname(file));
    const testPath = path.resolve(input.rootDir, testFile);
    const usage = byTestPath.get(testPath);
    if (!usage) {
      if (testFile === '' || fs.existsSync(testPath)) report.unknown.push(file);
      else report.obsolete.push(file);
      continue;
    }
    let facts = prepared.get(usage);
    if (!facts) {
      facts = {
        usedStems: new Set(usage.used.map(cassetteNameOf)),
        skipped: new Set(usage.skippedTests.map((name) => toCassetteFileName(name).toLowerCase())),
      };
      prepared.set(usage, facts);
    }
    if (isUsed(file, facts.usedStems, facts.skipped)) report.used++;
    else report.obsolete.push(file);
  }
  return report;
}
