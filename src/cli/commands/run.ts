/**
 * `rtbench run [scenario|url]`: flags become RunOverrides here (the only place that knows
 * them); the work happens in cli/run-action.ts, loaded lazily so `--help` stays fast.
 */
import type { Argv, Options } from 'yargs';
import { REPORT_FORMATS } from '../../report/formats.js';
import { SERVER_PROFILES } from '../../server/options.js';
import { CONNECTION_FLAGS, inGroup, LOAD_FLAGS, withSharedOptions } from '../shared-run-options.js';
import { FORCE_HELP } from '../result-file.js';
import type { CommandSpec } from './command-spec.js';

const G_LOAD = 'Load:';
const G_TARGET = 'Target and connection:';
const G_OUT = 'Output:';
const G_SHARD = 'Beyond one machine:';

/** Where the load goes and how connections behave: the flags `run` and `find` share beyond the load table. */
export const TARGET_OPTIONS = {
  target: {
    alias: 't',
    type: 'string',
    describe: 'server URL (ws://, wss://; http://, https:// for SSE); default: the embedded reference server',
  },
  'max-message': {
    type: 'string',
    describe:
      'largest incoming message (SSE: event, in raw body bytes); larger fails the connection as too_large [default: 100MiB WebSocket, 1MiB SSE]',
  },
  reconnect: {
    type: 'boolean',
    describe:
      'reopen connections that fail or are closed by the server; ' +
      "--no-reconnect makes an SSE stream's end final (the run then ends when every stream has) " +
      '[default: off for WebSocket; SSE streams reconnect as a browser does, except in the sse scenario]',
  },
  'sse-client': {
    choices: ['http', 'eventsource'] as const,
    describe: 'SSE client: http (node:http + eventsource-parser, lean) or eventsource (the npm package, browser-identical) [default: http]',
  },
  'expect-replies': {
    type: 'string',
    describe: 'replies per message (a server that answers twice: 2) [default: 1]',
  },
  'skip-first': {
    type: 'string',
    describe: 'messages the server sends on connect (a greeting) to skip [default: 0]',
  },
  server: {
    type: 'string',
    describe:
      'a command that starts the target server; rtbench runs it (in its own process group), waits until it accepts, ' +
      'measures, then stops it. {port} becomes a free loopback port; without it, the port the command prints',
  },
  'server-pid': {
    type: 'string',
    describe: "with --target on this machine: the server's process, whose tree rtbench samples for CPU and memory",
  },
  'server-url': {
    type: 'string',
    describe: 'with --server: the URL the command listens on, when it names no {port} and prints none (ws://127.0.0.1:9000/ws)',
  },
  'echo-delay': {
    type: 'string',
    describe: 'embedded server only: delay each echo, every message on its own (pipelined; bare number = ms)',
  },
  'echo-serial': {
    type: 'boolean',
    describe:
      'embedded server only: make --echo-delay serial (wait, answer, then read the next): ' +
      'at most 1000/delay replies per second per connection',
  },
  'server-profile': {
    choices: SERVER_PROFILES,
    describe: "embedded server only: RFC-correct, or imitate Hyperlane's wire habits [default: strict]",
  },
  'source-ips': {
    type: 'string',
    describe: 'comma-separated local addresses to connect from (default: 127.0.0.x chosen by itself past ~25k connections on loopback)',
  },
} satisfies Record<string, Options>;

export const runCommand: CommandSpec = {
  usage: 'run [scenario]',
  describe: 'Run a scenario (built-in name, JSON file, or a ws:// or http:// SSE URL) and print the result table',
  examples: [
    ['$0 run', "built-in 'echo' scenario against the embedded reference server"],
    ['$0 run echo -c 100 --in-flight 10 -d 10s', 'closed loop: 100 connections, 10 messages in flight each'],
    [
      '$0 run scenarios/echo.json --target ws://127.0.0.1:9000/ws -c 500 --rate 100 -d 30s',
      'open loop against your server: every message leaves at its intended time',
    ],
    [
      '$0 run echo --rate 100 --request-response',
      'request/response emulation: a send waits while a reply is outstanding (wrk2 over HTTP/1.1)',
    ],
    ['$0 run echo --json > out.json', 'the result document on stdout instead of the table'],
    ['$0 run sse --target http://127.0.0.1:60000/sse -c 1000', "1000 of the seed's SSE streams against your server"],
    ["$0 run echo --threshold 'latency.p99<5ms' --threshold 'errors==0'", 'exit 4 unless both hold'],
    [
      '$0 run echo --target ws://10.0.0.5:9000/ws -c 30k --shard 1/3 --start-at 2026-12-07T10:00:00Z --out shard-1.json',
      'the second of three shards of one run (rtbench merge joins them)',
    ],
    ['$0 run echo --format md >> "$GITHUB_STEP_SUMMARY"', 'a Markdown report for a CI job summary'],
  ],
  build: (y: Argv) =>
    withSharedOptions(
      withSharedOptions(
        y.positional('scenario', { type: 'string', describe: 'built-in scenario name, scenario file, or target URL', default: 'echo' }),
        G_LOAD,
        LOAD_FLAGS,
      ),
      G_TARGET,
      CONNECTION_FLAGS,
    )
      .options(inGroup(TARGET_OPTIONS, G_TARGET))
      .option('shard', {
        type: 'string',
        group: G_SHARD,
        describe: 'run shard i of N (i from 0): exactly this share of every phase; N shards against one --target are the scenario',
      })
      .option('shard-from-env', {
        type: 'boolean',
        group: G_SHARD,
        describe: 'the shard from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job sets it) of RTBENCH_SHARDS',
      })
      .option('start-at', {
        type: 'string',
        group: G_SHARD,
        describe:
          'connect early, start the load at this wall-clock instant (ISO 8601 or epoch ms); ' +
          'not connected by then: exit 3. The shards of one run share it',
      })
      .option('threshold', { type: 'string', group: G_OUT, describe: "fail (exit 4) unless it holds, e.g. 'latency.p99<5ms', 'errors==0'" })
      .option('out', {
        alias: 'o',
        type: 'string',
        group: G_OUT,
        describe: 'result file (0600; - = stdout); an existing file is refused without --force [default: reports/<scenario>-<time>.json]',
      })
      .option('force', { type: 'boolean', group: G_OUT, describe: FORCE_HELP })
      .option('format', {
        alias: 'f',
        choices: REPORT_FORMATS,
        group: G_OUT,
        describe: 'report on stdout: table, json (the result document), md, hgrm or html [default: table]',
      })
      .option('json', { type: 'boolean', group: G_OUT, describe: 'short for --format json' })
      .option('quiet', { alias: 'q', type: 'boolean', group: G_OUT, describe: 'no progress line' })
      .option('color', {
        type: 'boolean',
        group: G_OUT,
        describe: 'colour the table [default: when stdout is a terminal and NO_COLOR is unset]',
      }),
  run: async (args) => (await import('../run-action.js')).runAction(args),
};
