/**
 * Which cassettes are obsolete, decided from usage records the way Jest
 * decides which snapshots are: skipped and filtered tests still use theirs,
 * deleted test files lose theirs, test files that did not run keep theirs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readTestFileUsages, writeTestFileUsage, type TestFileUsage } from '../../src/usage/cassette-usage';
import { findObsoleteCassettes } from '../../src/usage/obsolete-cassettes';

let root: string;
const cassetteDir = () => path.join(root, 'cassettes');
const touch = (relative: string) => {
  fs.mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
  fs.writeFileSync(path.join(root, relative), 'x');
};

function usage(testFile: string, used: string[], skippedTests: string[] = [], complete = true): TestFileUsage {
  return {
    testPath: path.join(root, testFile),
    cassetteDir: cassetteDir(),
    used: used.map((name) => path.join(cassetteDir(), testFile, name)),
    skippedTests,
    complete,
    writtenAt: Date.now(),
    counts: { replayed: 0, recorded: 0, llmReplayed: 0, tokensReplayed: 0, unmatched: 0 },
  };
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'agenttape-obsolete-'));
  touch('a.test.js');
  touch('b.test.js');
  for (const name of ['agent works.yaml', 'agent works.derived.yaml', 'agent skipped_ one.yaml', 'agent skipped_ one (2).yaml', 'agent gone.yaml', '__file__.yaml']) touch(`cassettes/a.test.js/${name}`);
  touch('cassettes/b.test.js/b runs.yaml');
  touch('cassettes/deleted.test.js/whatever.json');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

test('used, derived, skipped (with collision suffixes) and file-scope cassettes stay; the rest is obsolete', () => {
  const report = findObsoleteCassettes({
    rootDir: root,
    cassetteDir: cassetteDir(),
    usages: [usage('a.test.js', ['agent works.yaml', '__file__.yaml'], ['agent skipped? one'])],
  });
  expect(report.obsolete.map((f) => path.relative(root, f))).toEqual(['cassettes/a.test.js/agent gone.yaml', 'cassettes/deleted.test.js/whatever.json']);
  expect(report.unknown.map((f) => path.relative(root, f))).toEqual(['cassettes/b.test.js/b runs.yaml']);
  expect(report.used).toBe(5);
});

test('an incomplete record (the file failed before its tests ran) decides nothing', () => {
  const report = findObsoleteCassettes({ rootDir: root, cassetteDir: cassetteDir(), usages: [usage('a.test.js', [], [], false)] });
  expect(report.obsolete.map((f) => path.relative(root, f))).toEqual(['cassettes/deleted.test.js/whatever.json']);
  expect(report.unknown).toHaveLength(7);
});

test('records are written per test file and read back; a torn record is ignored', () => {
  writeTestFileUsage(root, usage('a.test.js', ['agent works.yaml']));
  writeTestFileUsage(root, usage('b.test.js', ['b runs.yaml']));
  fs.writeFileSync(path.join(root, 'node_modules', '.cache', 'agenttape', 'usage', 'torn.json'), '{"testPath": ');
  const records = readTestFileUsages(root);
  expect(records.map((r) => path.basename(r.testPath)).sort()).toEqual(['a.test.js', 'b.test.js']);
});
