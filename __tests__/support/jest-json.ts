/**
 * Runs Jest on a fixture with `--json` and reads the structured results, so
 * end-to-end tests assert on each test's status and failure message instead
 * of scraping the console.
 */
import type { FixtureProject, JestRun } from './packed-project';

/** One test as Jest's `--json` reports it. */
interface JsonAssertion {
  fullName: string;
  status: 'passed' | 'failed' | 'pending' | 'skipped' | 'todo' | 'disabled';
  failureMessages: string[];
  duration?: number | null;
}

/** One test file as Jest's `--json` reports it. */
interface JsonFileResult {
  name: string;
  status: 'passed' | 'failed';
  message: string;
  assertionResults: JsonAssertion[];
  startTime: number;
  endTime: number;
}

/** The whole `--json` report. */
interface JsonReport {
  success: boolean;
  numFailedTests: number;
  numPassedTests: number;
  numFailedTestSuites: number;
  testResults: JsonFileResult[];
}

/** A Jest run with its parsed `--json` report and lookups by file and test name. */
export interface JsonRun extends JestRun {
  report: JsonReport;
  /** The result of a test file, by path relative to the fixture (e.g. `a.test.js`). */
  file(relative: string): JsonFileResult;
  /** A test by full name (describe blocks and test name joined by spaces), in any file. */
  test(fullName: string): JsonAssertion;
}

const RESULTS_FILE = '.jest-results.json';

/**
 * Runs Jest with `--json --outputFile` and parses the report.
 *
 * @example
 * const run = await runJson(fixture, [], { AGENTTAPE_MODE: 'record' });
 * expect(run.test('agent answers').status).toBe('passed');
 */
export async function runJson(fixture: FixtureProject, args: string[] = [], env: Record<string, string | undefined> = {}): Promise<JsonRun> {
  const run = await fixture.run(['--json', `--outputFile=${RESULTS_FILE}`, ...args], env);
  let report: JsonReport;
  try {
    report = JSON.parse(fixture.read(RESULTS_FILE)) as JsonReport;
  } catch (error) {
    throw new Error(`Jest wrote no readable --json report (${(error as Error).message}). Output:\n${run.output}`);
  }
  const normalize = (name: string) => name.split(/[\\/]/).join('/');
  return {
    ...run,
    report,
    file(relative) {
      const found = report.testResults.find((r) => normalize(r.name).endsWith(`/${relative}`));
      if (!found) throw new Error(`No result for ${relative}; files: ${report.testResults.map((r) => r.name).join(', ')}\n${run.output}`);
      return found;
    },
    test(fullName) {
      for (const file of report.testResults) {
        const found = file.assertionResults.find((a) => a.fullName === fullName);
        if (found) return found;
      }
      throw new Error(`No test named ${JSON.stringify(fullName)}; output:\n${run.output}`);
    },
  };
}

/**
 * Reads every file under a fixture folder as bytes, to prove a run left them untouched.
 *
 * @example
 * const before = snapshotFiles(fixture, 'cassettes');
 */
export function snapshotFiles(fixture: FixtureProject, relative: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of fixture.files(relative)) out[file] = fixture.read(`${relative}/${file}`);
  return out;
}
