/**
 * The table of commands. Each spec declares its options for yargs and a `run` that loads its
 * implementation lazily, so `rtbench --help` stays fast.
 */
import type { CommandSpec } from './command-spec.js';
import { compareCommand } from './compare.js';
import { findCommand } from './find.js';
import { gateCommand } from './gate.js';
import { mergeCommand } from './merge.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';
import { serveCommand } from './serve.js';

/** Every command, in the order `--help` lists them. */
export const commands: CommandSpec[] = [runCommand, serveCommand, findCommand, compareCommand, gateCommand, mergeCommand, reportCommand];
