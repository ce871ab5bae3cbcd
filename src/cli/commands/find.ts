/**
 * `rtbench find [scenario|url] --vary DIM --slo EXPR...`: the most load a server takes within an
 * SLO. The search is in cli/find-action.ts (and src/find/), loaded lazily so `--help` stays fast.
 */
import type { Argv } from 'yargs';
import { DIMENSION_NAMES } from '../../find/dimensions.js';
import { FORCE_HELP } from '../result-file.js';
import { CONNECTION_FLAGS, inGroup, LOAD_FLAGS, withSharedOptions } from '../shared-run-options.js';
import type { CommandSpec } from './command-spec.js';
import { TARGET_OPTIONS } from './run.js';

const G_SEARCH = 'Search:';
const G_LOAD = 'Load of every step (as for run):';
const G_TARGET = 'Target and connection:';
const G_OUT = 'Output:';

export const findCommand: CommandSpec = {
  usage: 'find [scenario]',
  describe: 'Find the most load a server takes within an SLO: climb until it breaks, then bisect the knee',
  examples: [
    [
      "$0 find echo --vary total-rate --slo 'latency.p99<5ms' --slo 'errors==0'",
      'messages per second the embedded server answers within 5 ms',
    ],
    [
      "$0 find echo --target ws://127.0.0.1:9000/ws --vary connections --from 100 --to 20k --slo 'errors==0'",
      'connections your server holds without an error',
    ],
    [
      "$0 find broadcast --vary subscribers --from 100 --slo 'fanout_latency.p99<50ms' --slo msgs_lost==0",
      'subscribers one broadcast reaches within 50 ms',
    ],
    ["$0 find echo --server './srv --port {port}' --vary rate --slo 'latency.p99<10ms'", 'a fresh server for every window'],
  ],
  build: (y: Argv) =>
    withSharedOptions(
      withSharedOptions(
        y
          .positional('scenario', { type: 'string', describe: 'built-in scenario name, scenario file, or target URL', default: 'echo' })
          .option('vary', {
            type: 'string',
            choices: DIMENSION_NAMES,
            group: G_SEARCH,
            describe:
              'what the search changes: rate (msgs/s per connection), total-rate (msgs/s over all senders), connections, ' +
              'subscribers (fan-out), streams (SSE)',
          })
          .option('slo', {
            type: 'string',
            group: G_SEARCH,
            describe: "what a step must meet, in the threshold grammar (repeat): 'latency.p99<50ms', 'errors==0', msgs_lost==0",
          })
          .option('from', { type: 'string', group: G_SEARCH, describe: "first load tried [default: the scenario's own]" })
          .option('to', { type: 'string', group: G_SEARCH, describe: 'highest load tried [default: 1024 × --from]' })
          .option('factor', { type: 'string', group: G_SEARCH, describe: 'climb multiplier until the SLO breaks [default: 2]' })
          .option('precision', {
            type: 'string',
            group: G_SEARCH,
            describe: 'bisect until the break is within this of the last pass (5%, or 0.05) [default: 5%]',
          })
          .option('confirm', {
            type: 'string',
            group: G_SEARCH,
            describe:
              'windows that must agree for a step to pass or fail (at most 2k-1 decide; a window the generator fell behind in is run again, up to k times) [default: 2]',
          })
          .option('cooldown', { type: 'string', group: G_SEARCH, describe: 'pause between windows [default: 1s]' })
          .option('max-steps', { type: 'string', group: G_SEARCH, describe: 'most loads the search measures [default: 30]' })
          .demandOption(['vary', 'slo']),
        G_LOAD,
        LOAD_FLAGS,
      ),
      G_TARGET,
      CONNECTION_FLAGS,
    )
      .options(inGroup(TARGET_OPTIONS, G_TARGET))
      .option('out', {
        alias: 'o',
        type: 'string',
        group: G_OUT,
        describe:
          'the find result (JSON, every step in full; 0600); an existing file is refused without --force [default: reports/find-<scenario>-<time>.json]',
      })
      .option('html', {
        type: 'string',
        group: G_OUT,
        describe: 'the HTML page with the knee chart (--no-html: none) [default: beside --out, .html]',
      })
      .option('force', { type: 'boolean', group: G_OUT, describe: FORCE_HELP })
      .option('format', {
        alias: 'f',
        choices: ['table', 'md', 'json'] as const,
        group: G_OUT,
        describe: 'answer on stdout: table, md, or json (the find result) [default: table]',
      })
      .option('json', { type: 'boolean', group: G_OUT, describe: 'short for --format json' })
      .option('quiet', { alias: 'q', type: 'boolean', group: G_OUT, describe: 'no progress lines' })
      .option('color', {
        type: 'boolean',
        group: G_OUT,
        describe: 'colour the table [default: when stdout is a terminal and NO_COLOR is unset]',
      }),
  run: async (args) => (await import('../find-action.js')).findAction(args),
};
