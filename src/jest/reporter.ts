/**
 * The AgentTape run summary, a Jest reporter added by the preset after
 * 'default'. Workers cannot hand it data directly, so each test file's
 * environment leaves a usage record (see `usage/cassette-usage.ts`) and this
 * reporter reads the records of the files that ran in this run.
 */
import type { AggregatedResult, Reporter, TestContext } from '@jest/reporters';
import * as path from 'node:path';
import { readTestFileUsages } from '../usage/cassette-usage';
import { formatRunSummary, summarizeRun } from '../usage/run-summary';

/**
 * Prints the AgentTape summary at the end of a Jest run.
 *
 * @example
 * // jest.config.js (the preset does this for you)
 * module.exports = { reporters: ['default', 'agenttape/reporter'] };
 */
export default class AgentTapeReporter implements Pick<Reporter, 'onRunStart' | 'onRunComplete' | 'getLastError'> {
  private startedAt = Date.now();

  onRunStart(): void {
    this.startedAt = Date.now();
  }

  onRunComplete(testContexts: Set<TestContext>, results: AggregatedResult): void {
    const ran = new Set(results.testResults.filter((r) => !r.testExecError).map((r) => path.resolve(r.testFilePath)));
    const rootDirs = new Set([...testContexts].map((context) => context.config.rootDir));
    for (const rootDir of rootDirs) {
      const records = readTestFileUsages(rootDir).filter((record) => ran.has(path.resolve(record.testPath)) && record.writtenAt >= this.startedAt);
      if (records.length === 0) continue;
      process.stderr.write(formatRunSummary(summarizeRun(rootDir, records)));
    }
  }

  getLastError(): Error | undefined {
    return undefined;
  }
}
