/**
 * `rtbench merge`: one exact result from several of one scenario (shards, or rounds). The
 * work is in cli/merge-action.ts, loaded lazily so `--help` stays fast.
 */
import type { Argv } from 'yargs';
import { FORCE_HELP } from '../result-file.js';
import type { CommandSpec } from './command-spec.js';

/** `rtbench merge <files..> [--out file]`. */
export const mergeCommand: CommandSpec = {
  usage: 'merge <files..>',
  describe: 'Merge results of one scenario exactly: histograms add, counters and errors sum',
  examples: [
    ['$0 merge shard-0.json shard-1.json --out all.json', 'shards of one run, from several machines'],
    ['$0 merge reports/compare-echo-*/node.json --out node-all.json', 'every round of a target as one result'],
  ],
  build: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, describe: 'result files (rounds files contribute every round)' })
      .option('out', { alias: 'o', type: 'string', describe: 'merged result file (0600); - or absent: stdout' })
      .option('force', { type: 'boolean', describe: FORCE_HELP }),
  run: async (args) => (await import('../merge-action.js')).mergeAction(args),
};
