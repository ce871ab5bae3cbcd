/**
 * `rtbench run [scenario|url]`: flags become RunOverrides here (the only place that knows
 * them); the work happens in cli/run-action.ts, loaded lazily so `--help` stays fast.
 */
import type { Argv } from 'yargs';
import { REPORT_FORMATS } from '../../report/formats.js';
import type { CommandSpec } from './registry.js';

const G_LOAD = 'Load:';
const G_TARGET = 'Target and connection:';
const G_OUT = 'Output:';

export const runCommand: CommandSpec = {
  usage: 'run [scenario]',
  describe: 'Run a scenario (built-in name, JSON file, or a ws:// or http:// SSE URL) and print the result table',
  examples: [
    ['$0 run', "built-in 'echo' scenario against the embedded reference server"],
    ['$0 run echo -c 100 --in-flight 10 -d 10s', 'closed loop: 100 connections, 10 messages in flight each'],
    ['$0 run scenarios/echo.json --target ws://127.0.0.1:9000/ws -c 500 --rate 100 -d 30s', 'open loop against your server'],
    ['$0 run echo --json > out.json', 'the result document on stdout instead of the table'],
    ['$0 run sse --target http://127.0.0.1:60000/sse -c 1000', "1000 of the seed's SSE streams against your server"],
    ["$0 run echo --threshold 'latency.p99<5ms' --threshold 'errors==0'", 'exit 4 unless both hold'],
    ['$0 run echo --format md >> "$GITHUB_STEP_SUMMARY"', 'a Markdown report for a CI job summary'],
  ],
  build: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', describe: 'built-in scenario name, scenario file, or target URL', default: 'echo' })
      .option('connections', { alias: 'c', type: 'string', group: G_LOAD, describe: 'connections to hold (e.g. 100, 10k)' })
      .option('connect-rate', { type: 'string', group: G_LOAD, describe: 'connections opened per second during the ramp (default: as fast as possible)' })
      .option('rate', { alias: 'r', type: 'string', group: G_LOAD, describe: 'messages per second per connection, decimals allowed; makes the run open loop' })
      .option('arrival', { choices: ['uniform', 'poisson'] as const, group: G_LOAD, describe: 'open-loop send spacing' })
      .option('max-in-flight', { type: 'string', group: G_LOAD, describe: 'open loop: messages awaiting a reply per connection before a due send waits, as wrk2 (0 = no limit) [default: 1]' })
      .option('in-flight', { type: 'string', group: G_LOAD, describe: 'messages outstanding per connection; makes the run closed loop' })
      .option('think-time', { type: 'string', group: G_LOAD, describe: 'closed loop: pause after each reply (e.g. 100ms)' })
      .option('duration', { alias: 'd', type: 'string', group: G_LOAD, describe: 'steady time after the connect ramp (e.g. 30s, 2m; bare number = seconds)' })
      .option('warmup', { type: 'string', group: G_LOAD, describe: 'first part of the steady time excluded from the histograms (e.g. 1s)' })
      .option('size', { type: 'string', group: G_LOAD, describe: 'message size (e.g. 32, 1KiB); the stamp is embedded' })
      .option('binary', { type: 'boolean', group: G_LOAD, describe: 'send binary frames instead of text' })
      .option('workers', { alias: 'w', type: 'string', group: G_LOAD, describe: 'generator processes (default: right for this machine)' })
      .option('target', { alias: 't', type: 'string', group: G_TARGET, describe: 'server URL (ws://, wss://; http://, https:// for SSE); default: the embedded reference server' })
      // Repeatable flags are plain strings (yargs collects repeats): `array` would swallow the
      // positional scenario after them (`--threshold x echo`).
      .option('header', { alias: 'H', type: 'string', group: G_TARGET, describe: "request header 'Name: value' (repeatable)" })
      .option('subprotocol', { type: 'string', group: G_TARGET, describe: 'WebSocket subprotocol to offer (repeatable)' })
      .option('origin', { type: 'string', group: G_TARGET, describe: 'Origin header for the handshake' })
      .option('insecure', { type: 'boolean', group: G_TARGET, describe: 'accept self-signed TLS certificates (said in the report)' })
      .option('deflate', { type: 'boolean', group: G_TARGET, describe: 'negotiate permessage-deflate' })
      .option('handshake-timeout', { type: 'string', group: G_TARGET, describe: 'connect + handshake limit [default: 5s]' })
      .option('reply-timeout', { type: 'string', group: G_TARGET, describe: 'a reply later than this is lost [default: 10s]' })
      .option('max-message', { type: 'string', group: G_TARGET, describe: 'largest incoming message; larger fails the connection as too_large [default: 100MiB]' })
      .option('reconnect', {
        type: 'boolean',
        group: G_TARGET,
        describe: 'reopen connections that fail or are closed by the server; --no-reconnect makes an SSE stream\'s end final (the run then ends when every stream has) [default: off for WebSocket; SSE streams reconnect as a browser does, except in the sse scenario]',
      })
      .option('sse-client', { choices: ['http', 'eventsource'] as const, group: G_TARGET, describe: 'SSE client: http (node:http + eventsource-parser, lean) or eventsource (the npm package, browser-identical) [default: http]' })
      .option('expect-replies', { type: 'string', group: G_TARGET, describe: 'replies per message (a server that answers twice: 2) [default: 1]' })
      .option('skip-first', { type: 'string', group: G_TARGET, describe: 'messages the server sends on connect (a greeting) to skip [default: 0]' })
      .option('echo-delay', { type: 'string', group: G_TARGET, describe: 'embedded server only: delay each echo (bare number = ms)' })
      .option('server-profile', { choices: ['strict', 'hyperlane', 'hyperlane-readme'] as const, group: G_TARGET, describe: "embedded server only: RFC-correct, or imitate Hyperlane's wire habits [default: strict]" })
      .option('source-ips', { type: 'string', group: G_TARGET, describe: 'comma-separated local addresses to connect from (default: 127.0.0.x chosen by itself past ~25k connections on loopback)' })
      .option('threshold', { type: 'string', group: G_OUT, describe: "fail (exit 4) unless it holds, e.g. 'latency.p99<5ms', 'errors==0'" })
      .option('out', { alias: 'o', type: 'string', group: G_OUT, describe: 'result file [default: reports/<scenario>-<time>.json]' })
      .option('format', { alias: 'f', choices: REPORT_FORMATS, group: G_OUT, describe: 'report on stdout: table, json (the result document), md, hgrm or html [default: table]' })
      .option('json', { type: 'boolean', group: G_OUT, describe: 'short for --format json' })
      .option('quiet', { alias: 'q', type: 'boolean', group: G_OUT, describe: 'no progress line' })
      .option('color', { type: 'boolean', group: G_OUT, describe: 'colour the table [default: when stdout is a terminal and NO_COLOR is unset]' }),
  run: async (args) => (await import('../run-action.js')).runAction(args),
};
