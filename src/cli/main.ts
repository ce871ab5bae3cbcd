/**
 * The only wiring between the command line and the rest: parse argv with yargs, hand the
 * parsed arguments to one command, and map its outcome (or its error) to an exit code.
 * Nothing here calls `process.exit`; bin/rtbench.js sets `process.exitCode`.
 */
import yargs, { type Argv } from 'yargs';
import { ExitCode, RtbenchError } from '../errors.js';
import type { CommandSpec } from './commands/command-spec.js';
import { commands } from './commands/registry.js';
import { EXIT_CODES_HELP } from './options.js';
import { TOOL_VERSION } from '../version.js';
import { redactText } from '../redact.js';

/** Runs the CLI with `argv` (without node and script) and returns the process exit code. */
export async function main(argv: string[]): Promise<ExitCode> {
  const debug = argv.includes('--debug');
  let selected: { spec: CommandSpec; args: Record<string, unknown> } | undefined;
  let usageProblem: string | undefined;
  let printedHelp = false;

  const parser = yargs(stdoutDashes(argv))
    .scriptName('rtbench')
    .usage('$0 <command> [options]\n\nLoad-test and benchmark WebSocket and SSE servers.')
    .version(TOOL_VERSION)
    .help()
    .alias('h', 'help')
    .option('debug', { type: 'boolean', describe: 'Print stack traces for errors', global: true })
    .strict()
    .recommendCommands()
    .demandCommand(1, 'Name a command: run, serve, find, compare, gate, merge or report')
    .epilogue(EXIT_CODES_HELP)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      usageProblem = msg ?? err?.message ?? 'invalid arguments';
    });

  for (const spec of commands) {
    parser.command(
      spec.usage,
      spec.describe,
      (y: Argv) => {
        spec.build(y);
        for (const [cmd, text] of spec.examples) y.example(cmd, text);
        return y.epilogue(EXIT_CODES_HELP);
      },
      (args) => {
        selected = { spec, args: args as Record<string, unknown> };
      },
    );
  }

  try {
    const parsed = await parser.parseAsync();
    printedHelp = Boolean(parsed.help) || Boolean(parsed.version);
  } catch (err) {
    usageProblem ??= err instanceof Error ? err.message : String(err);
  }
  if (usageProblem) {
    process.stderr.write(`rtbench: ${redactText(usageProblem)}\nRun 'rtbench --help' for usage.\n`);
    return ExitCode.Usage;
  }
  if (!selected) return printedHelp ? ExitCode.Ok : ExitCode.Usage;

  try {
    return await selected.spec.run(selected.args);
  } catch (err) {
    return reportError(err, debug);
  }
}

/**
 * `--out -` and `-o -` as one token each: yargs reads a lone `-` after an option as an unknown
 * positional, so `--out -` (documented as "stdout") failed as a usage error.
 */
function stdoutDashes(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if ((a === '--out' || a === '-o') && argv[i + 1] === '-') {
      out.push('--out=-');
      i++;
    } else out.push(a);
  }
  return out;
}

/** Prints an error as one line (plus hint); stack traces only for bugs or with --debug. */
export function reportError(err: unknown, debug: boolean): ExitCode {
  if (err instanceof RtbenchError) {
    process.stderr.write(`rtbench: ${redactText(err.message)}\n`);
    if (err.hint) process.stderr.write(`  hint: ${redactText(err.hint)}\n`);
    if (debug && err.stack) process.stderr.write(`${redactText(err.stack)}\n`);
    return err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`rtbench: internal error: ${redactText(e.message)}\n`);
  process.stderr.write(debug ? `${redactText(String(e.stack))}\n` : '  (this is a bug; rerun with --debug for the stack trace)\n');
  return ExitCode.Internal;
}
