/**
 * The AgentTape lines of Jest's end-of-run summary: what was served from
 * cassettes, what was recorded, what missed, and which cassettes no test used
 * (with the command that removes them), worded like Jest's snapshot summary.
 */
import * as path from 'node:path';
import type { TestFileUsage, UsageCounts } from './cassette-usage';
import { findObsoleteCassettes } from './obsolete-cassettes';

/** The facts a summary is made of. */
export interface RunSummary {
  suites: number;
  counts: UsageCounts;
  /** Obsolete cassettes, relative to rootDir. */
  obsolete: string[];
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Adds up the usage records of the test files that ran and finds obsolete cassettes.
 *
 * @example
 * const summary = summarizeRun(rootDir, records);
 */
export function summarizeRun(rootDir: string, records: TestFileUsage[]): RunSummary {
  const counts: UsageCounts = { replayed: 0, recorded: 0, llmReplayed: 0, tokensReplayed: 0, unmatched: 0 };
  for (const record of records) {
    for (const key of Object.keys(counts) as (keyof UsageCounts)[]) counts[key] += record.counts[key] ?? 0;
  }
  const obsolete: string[] = [];
  for (const cassetteDir of new Set(records.map((record) => record.cassetteDir))) {
    const usages = records.filter((record) => record.cassetteDir === cassetteDir);
    obsolete.push(...findObsoleteCassettes({ rootDir, cassetteDir, usages }).obsolete.map((file) => path.relative(rootDir, file)));
  }
  return { suites: records.length, counts, obsolete };
}

/**
 * Renders the summary as Jest renders its snapshot summary (nothing when no
 * cassette was touched).
 *
 * @example
 * process.stderr.write(formatRunSummary(summary));
 */
export function formatRunSummary(summary: RunSummary, listLimit = 10): string {
  const { counts } = summary;
  // A run that touched no cassette has nothing to say, like Jest's snapshot summary.
  if (counts.replayed + counts.recorded + counts.unmatched === 0 && summary.obsolete.length === 0) return '';
  const lines = ['AgentTape Summary'];
  lines.push(` › ${plural(counts.replayed, 'interaction')} replayed, ${counts.recorded} recorded, in ${plural(summary.suites, 'test suite')}.`);
  if (counts.llmReplayed > 0) {
    lines.push(` › ${plural(counts.llmReplayed, 'LLM call')} (${counts.tokensReplayed.toLocaleString('en-US')} tokens) served from cassettes.`);
  }
  if (counts.unmatched > 0) {
    lines.push(` › ${plural(counts.unmatched, 'unmatched request')}: ${counts.unmatched === 1 ? 'it' : 'they'} failed ${counts.unmatched === 1 ? 'its test' : 'their tests'} and never reached the network.`);
  }
  if (summary.obsolete.length > 0) {
    const files = summary.obsolete.length === 1 ? '1 cassette file is obsolete' : `${summary.obsolete.length} cassette files are obsolete`;
    lines.push(` › ${files}: no test uses ${summary.obsolete.length === 1 ? 'it' : 'them'}. To remove ${summary.obsolete.length === 1 ? 'it' : 'them'}, run \`npx agenttape prune --yes\`.`);
    for (const file of summary.obsolete.slice(0, listLimit)) lines.push(`   ↳ ${file}`);
    if (summary.obsolete.length > listLimit) lines.push(`   ↳ … and ${summary.obsolete.length - listLimit} more (npx agenttape prune lists them all)`);
  }
  return `${lines.join('\n')}\n`;
}
