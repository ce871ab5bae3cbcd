/** The shape of one CLI command (commands/*.ts); the table of them is registry.ts. */
import type { Argv } from 'yargs';
import type { ExitCode } from '../../errors.js';

/** One CLI command: yargs usage string, option builder, examples, and its action. */
export interface CommandSpec {
  usage: string;
  describe: string;
  examples: Array<[string, string]>;
  build(y: Argv): Argv;
  run(args: Record<string, unknown>): Promise<ExitCode>;
}
