/**
 * `rtbench serve`: the bundled reference server in the foreground. The flags are declared here;
 * the work is in cli/serve-action.ts, loaded lazily so `--help` stays fast.
 */
import type { CommandSpec } from './command-spec.js';

const GROUP = 'Server options:';

export const serveCommand: CommandSpec = {
  usage: 'serve',
  describe: 'Run the bundled reference server (WebSocket echo/broadcast, SSE streams, /stats)',
  examples: [
    ['$0 serve', 'listen on 127.0.0.1:60000'],
    ['$0 serve --port 0 --echo-delay 20', 'pick a free port; delay each echo by 20 ms'],
    ['$0 serve --publish-interval 100ms', 'publish a stamped message to /broadcast every 100 ms'],
    ['$0 serve --profile hyperlane --idle-drop 3s', "imitate Hyperlane's wire habits, dropping idle clients after 3 s"],
    [
      '$0 serve --profile hyperlane --lag-policy disconnect',
      'disconnect /broadcast receivers that lag, as hyperlane-plugin-websocket does',
    ],
    ['$0 serve --profile hyperlane-readme', 'the 2025 README echo: address first, then key + body per message'],
    ['$0 serve --port 0 --processes 6', 'six worker processes on one port: room for 100k connections under a 20k open-files limit'],
  ],
  build: (y) =>
    y
      .option('host', { type: 'string', default: '127.0.0.1', group: GROUP, describe: 'Address to bind' })
      .option('port', { type: 'string', default: 60000, group: GROUP, describe: 'TCP port; 0 picks a free one' })
      .option('processes', {
        type: 'string',
        default: 1,
        group: GROUP,
        describe:
          'Worker processes accepting on the one port, each with its own open-files limit; broadcasts and the publisher ' +
          'reach every client, /stats adds them up (Hyperlane profiles: one broadcast ring per process)',
      })
      .option('echo-delay', {
        type: 'string',
        default: 0,
        group: GROUP,
        describe: 'Delay before each /websocket echo, every message on its own timer (pipelined; duration, a bare number is ms)',
      })
      .option('echo-serial', {
        type: 'boolean',
        default: false,
        group: GROUP,
        describe:
          'Make --echo-delay serial: wait, answer, then read the next message, ' +
          'so each connection gets at most 1000/delay replies per second (capacity tests)',
      })
      .option('publish-interval', {
        type: 'string',
        default: 0,
        group: GROUP,
        describe: 'Publish a stamped {seq,t} message to /broadcast clients this often; 0 = off',
      })
      .option('sse-count', { type: 'string', default: 10, group: GROUP, describe: 'Events per /sse stream before the close' })
      .option('sse-interval', {
        type: 'string',
        default: '1s',
        group: GROUP,
        describe: 'Time between /sse events; 0 sends them in one burst',
      })
      .option('ticks-interval', { type: 'string', default: '100ms', group: GROUP, describe: 'Time between /sse/ticks events' })
      .option('ticks-retry', { type: 'string', default: '1s', group: GROUP, describe: 'retry: value sent on /sse/ticks' })
      .option('slow-client-limit', {
        type: 'string',
        default: '1MiB',
        group: GROUP,
        describe:
          'A client with more than this unsent: broadcasts to it are skipped (counted), and its echo connection is not read until it drains (size)',
      })
      .option('max-message', {
        type: 'string',
        default: '16MiB',
        group: GROUP,
        describe: 'Largest WebSocket message accepted; larger closes the connection with 1009 (counted in msgs_too_large)',
      })
      .option('idle-timeout', {
        type: 'string',
        default: 0,
        group: GROUP,
        describe: 'Close a WebSocket client that sends nothing for this long (strict: close 1001; Hyperlane: TCP drop); 0 = never',
      })
      .option('allow-origin', {
        type: 'boolean',
        default: false,
        group: GROUP,
        describe: 'Accept WebSocket upgrades that carry an Origin header (browsers); refused with 403 by default',
      })
      .option('sse-burst', {
        type: 'boolean',
        default: false,
        group: GROUP,
        describe: 'Send the /sse (and /) events back to back, as current Hyperlane does (same as --sse-interval 0)',
      })
      .option('profile', {
        type: 'string',
        default: 'strict',
        group: GROUP,
        describe:
          'Wire behaviour: strict (RFC 6455), hyperlane (opcode by UTF-8, replies split at 65535 bytes, no pong, TCP drop ' +
          'instead of close frames, tokio broadcast, SSE also on /), hyperlane-readme (hyperlane + address ' +
          'greeting and key + body replies, also on /ws)',
      })
      .option('idle-drop', {
        type: 'string',
        default: 0,
        group: GROUP,
        describe: 'Hyperlane profiles: drop a WebSocket client that sends nothing for this long (3s = RequestConfig::default); 0 = never',
      })
      .option('broadcast-capacity', {
        type: 'string',
        group: GROUP,
        describe:
          'Hyperlane profiles: /broadcast channel capacity in messages ' +
          "[default: 100, the seed's; held as the next power of two, like tokio]",
      })
      .option('lag-policy', {
        type: 'string',
        group: GROUP,
        describe:
          'Hyperlane profiles: a /broadcast receiver that lags skips the lost messages or is disconnected (skip|disconnect) ' +
          '[default: skip]',
      }),
  run: async (args) => (await import('../serve-action.js')).serveAction(args),
};
