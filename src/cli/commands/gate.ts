/**
 * `rtbench gate`: current results against a baseline, noise-aware, exit 4 on a regression.
 * The work is in cli/gate-action.ts, loaded lazily so `--help` stays fast.
 */
import type { Argv } from 'yargs';
import { GATE_FORMATS } from '../../report/formats.js';
import { FORCE_HELP } from '../result-file.js';
import type { CommandSpec } from './command-spec.js';

/** `rtbench gate <current..> --baseline <file..> [--max-regression metric=tolerance ...]`. */
export const gateCommand: CommandSpec = {
  usage: 'gate <current..>',
  describe: 'Fail (exit 4) when current results regressed against a baseline beyond a tolerance and the noise between rounds',
  examples: [
    ['$0 gate current.json --baseline baseline.json --max-regression latency.p99=10%', 'p99 may grow by 10% at most'],
    [
      '$0 gate cur-1.json cur-2.json cur-3.json --baseline base-*.json --max-regression latency.p99=10% --max-regression msgs_per_sec=5%',
      'several rounds per side: a change inside their spread is noise, not a regression',
    ],
    [
      '$0 gate reports/compare-echo-*/node.json --baseline baseline/node.json --format md',
      'rounds files written by compare; a Markdown verdict table',
    ],
    [
      '$0 gate current.json --baseline base.json --max-regression connect_time.p99=2ms --max-regression errors=0',
      'absolute tolerances, in the metric’s unit',
    ],
  ],
  build: (y: Argv) =>
    y
      .positional('current', { type: 'string', array: true, describe: 'current result files (each one run, or a rounds file)' })
      .option('baseline', {
        alias: 'b',
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'baseline result files (repeat, or one rounds file)',
      })
      // Not a yargs array, which would swallow the file names after it; repeat the flag instead.
      .option('max-regression', {
        alias: 'm',
        type: 'string',
        describe:
          'metric=tolerance: relative (latency.p99=10%) or absolute (latency.p99=2ms, errors=0) ' +
          '[default: latency.p99=10% and msgs_per_sec=10%]',
      })
      .option('format', { alias: 'f', choices: GATE_FORMATS, describe: 'table, json or md [default: table]' })
      .option('json', { type: 'boolean', describe: 'short for --format json' })
      .option('out', { alias: 'o', type: 'string', describe: 'write the verdict table to this file instead of stdout' })
      .option('force', { type: 'boolean', describe: FORCE_HELP })
      .option('color', { type: 'boolean', describe: 'colour the table [default: when stdout is a terminal and NO_COLOR is unset]' }),
  run: async (args) => (await import('../gate-action.js')).gateAction(args),
};
