/**
 * What every `agenttape` command shares: its declaration (name, options, help)
 * and the context it runs in (project root, configuration, output streams).
 * Commands are shells around library functions; this file holds no logic of
 * its own beyond argument parsing.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import * as fs from 'node:fs';
import { readCassetteFile } from '../cassette/cassette-file';
import type { CassetteDocument } from '../cassette/cassette-schema';
import type { AgentTapeConfig } from '../config/config';
import { CassetteNotFoundError, UsageError } from '../errors';
import { listCassetteFiles } from '../cassette/cassette-path';
import { resolveCassetteArguments } from '../tools/cassette-files';

/**
 * Exit codes: 0 ok, 1 problems found, 2 the command line or its inputs are wrong.
 *
 * @example
 * return findings.length > 0 ? EXIT.problems : EXIT.ok;
 */
export const EXIT = { ok: 0, problems: 1, usage: 2 } as const;

/** Parsed option values. */
export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** Where a command runs. */
export interface CommandContext {
  /** The project root (`--root`, else the working directory). */
  root: string;
  /** The working directory, for resolving file arguments. */
  cwd: string;
  out(text: string): void;
  err(text: string): void;
  /** The project's configuration, read on first use. */
  config(): AgentTapeConfig;
}

/** One `agenttape` command. */
export interface Command {
  name: string;
  /** One line for `agenttape --help`. */
  summary: string;
  /** The full `--help` text after the usage line. */
  help: string;
  /** Usage line, e.g. `agenttape inspect <cassette>...`. */
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(context: CommandContext, positionals: string[], values: OptionValues): number;
}

/**
 * Options every command accepts.
 *
 * @example
 * parseArgs({ args, options: { ...COMMON_OPTIONS, ...command.options } });
 */
const COMMON_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  help: { type: 'boolean', short: 'h' },
  root: { type: 'string' },
};

/**
 * Parses a command's arguments; unknown options become a `UsageError`.
 *
 * @example
 * const { positionals, values } = parseCommandArguments(inspectCommand, ['a.yaml', '--json']);
 */
export function parseCommandArguments(command: Command, args: string[]): { positionals: string[]; values: OptionValues } {
  try {
    const { positionals, values } = parseArgs({ args, options: { ...COMMON_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
    return { positionals, values: values as OptionValues };
  } catch (error) {
    const message = (error as Error).message.replace(/\s+/g, ' ').replace(/\.$/, '');
    throw new UsageError(`${command.name}: ${message}. Run agenttape ${command.name} --help for its options.`);
  }
}

/**
 * The full help text of a command.
 *
 * @example
 * process.stdout.write(helpOf(inspectCommand));
 */
export function helpOf(command: Command): string {
  return `Usage: ${command.usage}\n\n${command.summary}\n\n${command.help.trim()}\n\nCommon options:\n  --root <dir>  project root holding agenttape.config.json or package.json (default: the working directory)\n  -h, --help    show this help\n`;
}

/**
 * The cassette files named by the arguments, or every cassette under
 * `cassetteDir` when none is named and `allByDefault` is set.
 *
 * @example
 * const files = cassetteFilesFrom(context, positionals, { allByDefault: true, command: 'validate' });
 */
export function cassetteFilesFrom(context: CommandContext, positionals: string[], options: { allByDefault: boolean; command: string }): string[] {
  const { cassetteDir } = context.config();
  if (positionals.length === 0) {
    if (!options.allByDefault) throw new UsageError(`${options.command}: no cassette given. Pass a cassette file or test name; run agenttape ${options.command} --help for examples.`);
    const files = listCassetteFiles(cassetteDir);
    if (files.length === 0)
      throw new CassetteNotFoundError(`${options.command}: no cassettes under ${cassetteDir}. Pass cassette files, or run from the project root (or with --root) so the configured cassetteDir is found.`);
    return files;
  }
  return resolveCassetteArguments(positionals, cassetteDir, context.cwd);
}

/**
 * Reads one cassette the user named; a missing file is a `CassetteNotFoundError`.
 *
 * @example
 * const doc = readNamedCassette('cassettes/a.yaml');
 */
export function readNamedCassette(file: string): CassetteDocument {
  const doc = readCassetteFile(file);
  if (doc === null) throw new CassetteNotFoundError(`cannot read ${file}: the file does not exist. Check the path.`);
  return doc;
}

/**
 * Reads a number option.
 *
 * @example
 * numberOption(values, 'width', 40, 'timeline');
 */
export function numberOption(values: OptionValues, name: string, fallback: number, command: string): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${command}: --${name} must be a positive number, got ${JSON.stringify(raw)}. Example: --${name} ${fallback}.`);
  return value;
}

/**
 * True when a path exists and is a file.
 *
 * @example
 * isFile('cassettes/a.yaml');
 */
export function isFile(file: string): boolean {
  return fs.existsSync(file) && fs.statSync(file).isFile();
}
