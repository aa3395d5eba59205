/** `agenttape prune`: removes cassettes that no test uses (a dry run unless `--yes`). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readTestFileUsages, usageFolder } from '../usage/cassette-usage';
import { findObsoleteCassettes } from '../usage/obsolete-cassettes';
import { EXIT, type Command } from './command';

function removeEmptyFolders(folder: string, stopAt: string): void {
  let current = folder;
  while (current.startsWith(stopAt) && current !== stopAt && fs.existsSync(current) && fs.readdirSync(current).length === 0) {
    fs.rmdirSync(current);
    current = path.dirname(current);
  }
}

/**
 * The `prune` command.
 *
 * @example
 * // npx jest && npx agenttape prune --yes
 */
export const pruneCommand: Command = {
  name: 'prune',
  usage: 'agenttape prune [--yes]',
  summary: 'Remove cassettes that no test uses. Lists them unless --yes is given.',
  help: `
Options:
  --yes   delete the obsolete cassettes (without it, nothing is deleted)

How it knows: every Jest run under preset 'agenttape' records which cassettes each
test file used, in node_modules/.cache/agenttape/usage. A cassette is obsolete when
its test file was deleted, or when its test file ran and no test used it (skipped,
failing and -t-filtered tests count as users). Cassettes of test files that have
not run yet are kept: run npx jest first.

Examples:
  npx jest && npx agenttape prune
  npx agenttape prune --yes`,
  options: { yes: { type: 'boolean', short: 'y' } },
  run(context, _positionals, values) {
    const { cassetteDir } = context.config();
    const usages = readTestFileUsages(context.root);
    const report = findObsoleteCassettes({ rootDir: context.root, cassetteDir, usages });
    const shown = (file: string) => path.relative(context.cwd, file);
    if (report.unknown.length > 0) {
      context.out(`kept ${report.unknown.length} cassettes whose test files have no usage record yet (run npx jest to check them):\n${report.unknown.map((f) => `  ${shown(f)}\n`).join('')}`);
    }
    if (report.obsolete.length === 0) {
      context.out(`no obsolete cassettes (${report.used} in use${usages.length === 0 ? `; no usage records in ${shown(usageFolder(context.root))}: run npx jest first` : ''})\n`);
      return EXIT.ok;
    }
    if (!values.yes) {
      context.out(`${report.obsolete.length} obsolete cassettes (dry run, nothing deleted; add --yes to delete them):\n${report.obsolete.map((f) => `  ${shown(f)}\n`).join('')}`);
      return EXIT.ok;
    }
    for (const file of report.obsolete) {
      fs.rmSync(file);
      removeEmptyFolders(path.dirname(file), cassetteDir);
    }
    context.out(`deleted ${report.obsolete.length} obsolete cassettes:\n${report.obsolete.map((f) => `  ${shown(f)}\n`).join('')}`);
    return EXIT.ok;
  },
};
