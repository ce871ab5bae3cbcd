/**
 * The table of commands. Each spec declares its options for yargs and a `run` that loads its
 * implementation lazily, so `rtbench --help` stays fast.
 */
import type { Argv } from 'yargs';
import type { ExitCode } from '../../errors.js';
import { compareCommand } from './compare.js';
import { gateCommand } from './gate.js';
import { mergeCommand } from './merge.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';
import { serveCommand } from './serve.js';

/** One CLI command: yargs usage string, option builder, examples, and its action. */
export interface CommandSpec {
  usage: string;
  describe: string;
  examples: Array<[string, string]>;
  build(y: Argv): Argv;
  run(args: Record<string, unknown>): Promise<ExitCode>;
}

/** Every command, in the order `--help` lists them. */
export const commands: CommandSpec[] = [runCommand, serveCommand, compareCommand, gateCommand, mergeCommand, reportCommand];
