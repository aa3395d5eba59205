/**
 * The Jest environment's words for a miss report (src/report/miss-report.ts):
 * the exact `npx jest` command that records one test, and the docblock
 * pragmas a test file sets.
 */
import * as path from 'node:path';
import type { TapeOwner } from '../engine/tape';
import type { HostAdvice } from '../report/miss-report';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The exact command that records one test, or every test of a file for what runs outside tests.
 *
 * @example
 * jestRecordCommand({ testFile: 'src/a.test.ts', testName: 'weather answers', fileScope: false, cassettePath: '…' });
 * // 'AGENTTAPE_MODE=record npx jest src/a.test.ts -t "^weather answers$"'
 */
export function jestRecordCommand(owner: TapeOwner): string {
  const file = owner.testFile.split(path.sep).join('/');
  if (owner.fileScope) return `AGENTTAPE_MODE=record npx jest ${file}`;
  return `AGENTTAPE_MODE=record npx jest ${file} -t ${JSON.stringify(`^${escapeRegExp(owner.testName)}$`)}`;
}

/**
 * Advice for tests run by Jest.
 *
 * @example
 * new CassetteSession({ …, advice: JEST_ADVICE });
 */
export const JEST_ADVICE: HostAdvice = {
  recordCommand: jestRecordCommand,
  ciRecordCommand: jestRecordCommand,
  inCi: 'Jest runs in CI (--ci or the CI variable)',
  docblock: '@agenttape-mode docblock',
  goLive: (token) => `cassette.use({ live: [${JSON.stringify(token)}] }) or @agenttape-live ${token}`,
  frozenSettings: 'cassette.use({ frozen }), the @agenttape-frozen docblock or agenttape.config.json',
};
