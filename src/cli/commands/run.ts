/**
 * `rtbench run [scenario|url]`: flags become RunOverrides here (the only place that knows
 * them); the work happens in cli/run-action.ts, loaded lazily so `--help` stays fast.
 */
import type { Argv } from 'yargs';
import { REPORT_FORMATS } from '../../report/formats.js';
import { SERVER_PROFILES } from '../../server/options.js';
import { withSharedOptions } from '../shared-run-options.js';
import { FORCE_HELP } from '../result-file.js';
import type { CommandSpec } from './command-spec.js';

const G_LOAD = 'Load:';
const G_TARGET = 'Target and connection:';
const G_OUT = 'Output:';

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
    ['$0 run echo --format md >> "$GITHUB_STEP_SUMMARY"', 'a Markdown report for a CI job summary'],
  ],
  build: (y: Argv) =>
    withSharedOptions(
      withSharedOptions(
        y.positional('scenario', { type: 'string', describe: 'built-in scenario name, scenario file, or target URL', default: 'echo' }),
        G_LOAD,
        [
          'connections',
          'connect-rate',
          'rate',
          'arrival',
          'max-in-flight',
          'request-response',
          'in-flight',
          'think-time',
          'duration',
          'warmup',
          'size',
          'binary',
          'workers',
        ],
      ),
      G_TARGET,
      [
        'header',
        'subprotocol',
        'origin',
        'insecure',
        'deflate',
        'handshake-timeout',
        'reply-timeout',
        'max-outstanding',
        'server-cpus',
        'client-cpus',
        'server-ready-timeout',
      ],
    )
      .option('target', {
        alias: 't',
        type: 'string',
        group: G_TARGET,
        describe: 'server URL (ws://, wss://; http://, https:// for SSE); default: the embedded reference server',
      })
      .option('max-message', {
        type: 'string',
        group: G_TARGET,
        describe:
          'largest incoming message (SSE: event, in raw body bytes); larger fails the connection as too_large [default: 100MiB WebSocket, 1MiB SSE]',
      })
      .option('reconnect', {
        type: 'boolean',
        group: G_TARGET,
        describe:
          'reopen connections that fail or are closed by the server; ' +
          "--no-reconnect makes an SSE stream's end final (the run then ends when every stream has) " +
          '[default: off for WebSocket; SSE streams reconnect as a browser does, except in the sse scenario]',
      })
      .option('sse-client', {
        choices: ['http', 'eventsource'] as const,
        group: G_TARGET,
        describe:
          'SSE client: http (node:http + eventsource-parser, lean) or eventsource (the npm package, browser-identical) [default: http]',
      })
      .option('expect-replies', {
        type: 'string',
        group: G_TARGET,
        describe: 'replies per message (a server that answers twice: 2) [default: 1]',
      })
      .option('skip-first', {
        type: 'string',
        group: G_TARGET,
        describe: 'messages the server sends on connect (a greeting) to skip [default: 0]',
      })
      .option('server', {
        type: 'string',
        group: G_TARGET,
        describe:
          'a command that starts the target server; rtbench runs it (in its own process group), waits until it accepts, ' +
          'measures, then stops it. {port} becomes a free loopback port; without it, the port the command prints',
      })
      .option('server-pid', {
        type: 'string',
        group: G_TARGET,
        describe: "with --target on this machine: the server's process, whose tree rtbench samples for CPU and memory",
      })
      .option('server-url', {
        type: 'string',
        group: G_TARGET,
        describe: 'with --server: the URL the command listens on, when it names no {port} and prints none (ws://127.0.0.1:9000/ws)',
      })
      .option('echo-delay', {
        type: 'string',
        group: G_TARGET,
        describe: 'embedded server only: delay each echo, every message on its own (pipelined; bare number = ms)',
      })
      .option('echo-serial', {
        type: 'boolean',
        group: G_TARGET,
        describe:
          'embedded server only: make --echo-delay serial (wait, answer, then read the next): ' +
          'at most 1000/delay replies per second per connection',
      })
      .option('server-profile', {
        choices: SERVER_PROFILES,
        group: G_TARGET,
        describe: "embedded server only: RFC-correct, or imitate Hyperlane's wire habits [default: strict]",
      })
      .option('source-ips', {
        type: 'string',
        group: G_TARGET,
        describe: 'comma-separated local addresses to connect from (default: 127.0.0.x chosen by itself past ~25k connections on loopback)',
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
