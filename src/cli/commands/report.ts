/**
 * `rtbench report`: re-render saved results in any format. The work is in
 * cli/report-action.ts, loaded lazily so `--help` stays fast.
 */
import type { Argv } from 'yargs';
import { REPORT_FORMATS } from '../../report/formats.js';
import { FORCE_HELP } from '../result-file.js';
import type { CommandSpec } from './command-spec.js';

/** `rtbench report <files..> [--format f] [--out file|folder]`. */
export const reportCommand: CommandSpec = {
  usage: 'report <files..>',
  describe: 'Render saved results as table, json, md, hgrm or html (several files: a comparison)',
  examples: [
    ['$0 report reports/echo-2026-01-01T10-00-00-000Z.json --format md', 'Markdown for a pull request'],
    ['$0 report result.json --format html --out report.html', 'one self-contained page with plots'],
    ['$0 report result.json --format hgrm --out hgrm/', 'one .hgrm file per metric, for HdrHistogram’s plotter'],
    ['$0 report node.json go.json --format html --out compare.html', 'several runs overlaid'],
  ],
  build: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, describe: 'result files ([label=]file); rounds files too' })
      .option('format', { alias: 'f', choices: REPORT_FORMATS, describe: 'output format [default: table]' })
      .option('json', { type: 'boolean', describe: 'short for --format json' })
      .option('out', {
        alias: 'o',
        type: 'string',
        describe: 'write to this file (for hgrm: a folder, one file per metric) instead of stdout',
      })
      .option('force', { type: 'boolean', describe: FORCE_HELP })
      .option('rank-by', { type: 'string', describe: 'with several files: metric the summary ranks by [default: latency.p99]' })
      .option('max-error-rate', { type: 'string', describe: 'with several files: flag entries above this error rate [default: 1%]' })
      .option('color', { type: 'boolean', describe: 'colour the table [default: when stdout is a terminal and NO_COLOR is unset]' }),
  run: async (args) => (await import('../report-action.js')).reportAction(args),
};
