#!/usr/bin/env node
/**
 * `npx agenttape`: the cassette toolbox. A shell — it picks the command,
 * parses its arguments, runs it and turns the outcome into an exit code and,
 * for a failure, one line: `agenttape: <what failed>: <evidence>. <next step>`.
 */
import { ConfigError, CassetteNotFoundError, UsageError, AgentTapeError } from '../errors';
import { loadConfig, type AgentTapeConfig } from '../config/config';
import { AGENTTAPE_VERSION } from '../version';
import * as path from 'node:path';
import { EXIT, helpOf, parseCommandArguments, type Command, type CommandContext } from './command';
import { diffCommand } from './diff';
import { exportCommand } from './export';
import { importNockCommand } from './import-nock';
import { inspectCommand } from './inspect';
import { pruneCommand } from './prune';
import { redactCommand } from './redact';
import { timelineCommand } from './timeline';
import { validateCommand } from './validate';
import { viewCommand } from './view';

/**
 * Every command, in the order `--help` lists them.
 *
 * @example
 * COMMANDS.map((c) => c.name); // ['inspect', 'timeline', …]
 */
export const COMMANDS: Command[] = [inspectCommand, timelineCommand, diffCommand, validateCommand, redactCommand, viewCommand, pruneCommand, importNockCommand, exportCommand];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: agenttape <command> [options]',
    '',
    'The AgentTape cassette toolbox.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run agenttape <command> --help for the options of a command.',
    'Exit codes: 0 ok, 1 problems found, 2 usage error.',
    '',
  ].join('\n');
}

function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof CassetteNotFoundError) return EXIT.usage;
  return EXIT.problems;
}

function oneLine(message: string): string {
  return message.replace(/\s*\n+\s*/g, ' ').trim();
}

/**
 * Runs the CLI with the given arguments and returns the exit code.
 *
 * @example
 * process.exitCode = runCli(process.argv.slice(2), { cwd: process.cwd(), out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
 */
export function runCli(argv: string[], io: { cwd: string; out(text: string): void; err(text: string): void }): number {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.out(`${AGENTTAPE_VERSION}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(', ')}. Run agenttape --help`);
    const { positionals, values } = parseCommandArguments(command, rest);
    if (values.help) {
      io.out(helpOf(command));
      return EXIT.ok;
    }
    const root = path.resolve(io.cwd, typeof values.root === 'string' ? values.root : '.');
    let config: AgentTapeConfig | undefined;
    const context: CommandContext = { ...io, root, config: () => (config ??= loadConfig(root, undefined, 'the command line')) };
    return command.run(context, positionals, values);
  } catch (error) {
    if (!(error instanceof AgentTapeError)) {
      const err = error as NodeJS.ErrnoException;
      io.err(`agenttape: ${name} failed: ${oneLine(err.message)}${err.code ? ` (${err.code})` : ''}. Re-run with AGENTTAPE_DEBUG=1 for the stack trace.\n`);
      if (process.env.AGENTTAPE_DEBUG) io.err(`${err.stack}\n`);
      return EXIT.problems;
    }
    io.err(`agenttape: ${oneLine(error.message)}\n`);
    return exitCodeOf(error);
  }
}

if (require.main === module) {
  process.exitCode = runCli(process.argv.slice(2), {
    cwd: process.cwd(),
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
}
