/**
 * `rtbench compare`: saved results side by side, or live targets in interleaved rounds. The
 * work is in cli/compare-action.ts, loaded lazily so `--help` stays fast.
 */
import type { Argv } from 'yargs';
import { REPORT_FORMATS } from '../../report/formats.js';
import { CONNECTION_FLAGS, LOAD_FLAGS, sharedOptions } from '../shared-run-options.js';
import { FORCE_HELP } from '../result-file.js';
import type { CommandSpec } from './command-spec.js';

const G_LIVE = 'Live mode (--target):';
const G_LOAD = 'Load (live mode, as for run):';
const G_OUT = 'Output:';

/** The load and connection flags live compare shares with run: all of them but --subprotocol and --origin. */
const LOAD_OPTIONS = [...LOAD_FLAGS, ...CONNECTION_FLAGS.filter((f) => f !== 'subprotocol' && f !== 'origin')];

/** Flags that only mean something when compare runs the load itself. */
export const LIVE_ONLY_FLAGS = ['server', 'rounds', 'cooldown', 'save-dir', 'save', ...LOAD_OPTIONS] as const;

/**
 * `rtbench compare [files..]` or `rtbench compare --target name=url ... [scenario]`.
 * `--target` and `--header` are not yargs arrays: an array option swallows the words after it
 * (`--target b=ws://... echo` would take `echo` as a target); repeating the flag still
 * collects its values into a list.
 */
export const compareCommand: CommandSpec = {
  usage: 'compare [inputs..]',
  describe: 'Compare saved results side by side, or run one scenario against several targets in interleaved rounds',
  examples: [
    ['$0 compare reports/node.json reports/go.json', 'saved results of one scenario, matched by scenario name and target label'],
    ['$0 compare before=old.json after=new.json', 'label files yourself (same target, before and after a change)'],
    [
      '$0 compare --target node=ws://127.0.0.1:9001/ws --target go=ws://127.0.0.1:9002/ws echo --rounds 3',
      'live: A B A B A B, medians and spread',
    ],
    [
      '$0 compare --target a=ws://h:1/ws --target b=ws://h:2/ws echo -c 200 --rate 50 -d 20s --cooldown 5s --format md',
      'live, with run flags, as Markdown',
    ],
  ],
  build: (y: Argv) =>
    y
      .positional('inputs', {
        type: 'string',
        array: true,
        describe: 'result files ([label=]file), or with --target one scenario (default echo)',
      })
      .option('target', {
        alias: 't',
        type: 'string',
        group: G_LIVE,
        describe: 'name=url of a server to run against (repeat, at least two)',
      })
      .option('server', {
        type: 'string',
        group: G_LIVE,
        describe:
          'name=command of a server rtbench starts itself, afresh for each round and stopped after it ({port} becomes a free port; repeat)',
      })
      .option('rounds', { type: 'string', group: G_LIVE, describe: 'rounds per target, interleaved A B A B [default: 3]' })
      .option('cooldown', {
        type: 'string',
        group: G_LIVE,
        describe: 'pause between runs so one server’s backlog does not hit the next [default: 1s]',
      })
      .option('save-dir', {
        type: 'string',
        group: G_LIVE,
        describe: 'folder for one rounds file per target [default: reports/compare-<scenario>-<time>/]',
      })
      .option('save', { type: 'boolean', group: G_LIVE, describe: 'write the rounds files (--no-save: keep nothing) [default: true]' })
      .options(sharedOptions(G_LOAD, LOAD_OPTIONS))
      .option('rank-by', {
        type: 'string',
        group: G_OUT,
        describe: 'metric the summary ranks by, as in thresholds (latency.p50, msgs_per_sec) [default: latency.p99]',
      })
      .option('max-error-rate', {
        type: 'string',
        group: G_OUT,
        describe: 'entries with more errors per operation are flagged, not ranked [default: 1%]',
      })
      .option('format', { alias: 'f', choices: REPORT_FORMATS, group: G_OUT, describe: 'table, json, md, hgrm or html [default: table]' })
      .option('json', { type: 'boolean', group: G_OUT, describe: 'short for --format json' })
      .option('out', {
        alias: 'o',
        type: 'string',
        group: G_OUT,
        describe: 'write the report to this file (for hgrm: a folder) instead of stdout',
      })
      .option('force', { type: 'boolean', group: G_OUT, describe: `${FORCE_HELP}; also for the rounds files in --save-dir` })
      .option('quiet', { alias: 'q', type: 'boolean', group: G_OUT, describe: 'no per-run progress lines' })
      .option('color', {
        type: 'boolean',
        group: G_OUT,
        describe: 'colour the table [default: when stdout is a terminal and NO_COLOR is unset]',
      }),
  run: async (args) => (await import('../compare-action.js')).compareAction(args),
};
