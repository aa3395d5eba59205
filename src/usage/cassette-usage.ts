/**
 * Which cassettes the tests of one test file used in its last run, and what
 * the run served from them. The Jest environment writes one record per test
 * file (each worker its own file, so workers never race); the run summary
 * reporter and `agenttape prune` read them to find obsolete cassettes, the way
 * Jest finds obsolete snapshots.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../cassette/atomic-write';
import { ERROR_CODES } from '../errors';
import type { Tape } from '../engine/tape';
import { tokenCounts } from './token-counts';

/** Counts of what one test file's run did with its cassettes. */
export interface UsageCounts {
  replayed: number;
  recorded: number;
  llmReplayed: number;
  tokensReplayed: number;
  unmatched: number;
}

/** The record one test file's run leaves behind. */
export interface TestFileUsage {
  /** Absolute path of the test file. */
  testPath: string;
  /** Absolute cassette folder of the project. */
  cassetteDir: string;
  /** Absolute cassette paths opened by tests that ran (and the file scope). */
  used: string[];
  /** Full names of tests that were skipped, todo, or filtered out by `-t`: their cassettes count as used. */
  skippedTests: string[];
  /** False when the file failed before its tests ran (its cassettes' use is then unknown). */
  complete: boolean;
  /** Epoch ms when the record was written. */
  writtenAt: number;
  counts: UsageCounts;
}

/**
 * The folder holding usage records of a project: `node_modules/.cache/agenttape/usage`,
 * where tools keep rebuildable state that is never committed.
 *
 * @example
 * usageFolder('/my/project'); // '/my/project/node_modules/.cache/agenttape/usage'
 */
export function usageFolder(rootDir: string): string {
  return path.join(rootDir, 'node_modules', '.cache', 'agenttape', 'usage');
}

function recordFile(rootDir: string, testPath: string): string {
  return path.join(usageFolder(rootDir), `${createHash('sha1').update(testPath).digest('hex').slice(0, 16)}.json`);
}

/**
 * Adds up what a set of tapes served.
 *
 * @example
 * countUsage(state.allTapes()); // { replayed: 3, recorded: 0, llmReplayed: 1, tokensReplayed: 21, unmatched: 0 }
 */
export function countUsage(tapes: readonly Tape[]): UsageCounts {
  const counts: UsageCounts = { replayed: 0, recorded: 0, llmReplayed: 0, tokensReplayed: 0, unmatched: 0 };
  for (const tape of tapes) {
    for (const { interaction, source } of tape.timeline) {
      if (source === 'replayed') {
        counts.replayed++;
        if (interaction.kind === 'llm') {
          counts.llmReplayed++;
          counts.tokensReplayed += tokenCounts(interaction.usage).total ?? 0;
        }
      } else if (source === 'recorded') {
        counts.recorded++;
      }
    }
    counts.unmatched += tape.failures.filter((error) => (error as { code?: string }).code === ERROR_CODES.unmatched).length;
  }
  return counts;
}

/**
 * Writes the usage record of one test file.
 *
 * @example
 * writeTestFileUsage(rootDir, { testPath, cassetteDir, used, skippedTests, complete: true, writtenAt: Date.now(), counts });
 */
export function writeTestFileUsage(rootDir: string, usage: TestFileUsage): void {
  // A cache: readers skip a record they cannot parse, and a missing one makes cassettes "unknown", never obsolete.
  writeFileAtomic(recordFile(rootDir, usage.testPath), `${JSON.stringify(usage, null, 2)}\n`, { durable: false });
}

/**
 * Reads every usage record of a project (records that cannot be read are skipped: they are a cache).
 *
 * @example
 * const records = readTestFileUsages('/my/project');
 */
export function readTestFileUsages(rootDir: string): TestFileUsage[] {
  const folder = usageFolder(rootDir);
  if (!fs.existsSync(folder)) return [];
  const out: TestFileUsage[] = [];
  for (const name of fs.readdirSync(folder)) {
    if (!name.endsWith('.json')) continue;
    try {
      const record = JSON.parse(fs.readFileSync(path.join(folder, name), 'utf8')) as TestFileUsage;
      if (typeof record.testPath === 'string' && Array.isArray(record.used)) out.push(record);
    } catch {
      // A torn or foreign file in a cache folder is not the user's problem: the next run rewrites it.
    }
  }
  return out;
}
