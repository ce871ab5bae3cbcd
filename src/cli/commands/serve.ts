/** `rtbench serve`: the bundled reference server in the foreground (implementation: src/server/). */
import { ExitCode, UsageError } from '../../errors.js';
import type { ReferenceServerOptions } from '../../server/options.js';
import type { ServerStats } from '../../server/stats.js';
import { formatDurationMs } from '../../units.js';
import { countFlag, durationFlag, sizeFlag } from '../options.js';
import type { CommandSpec } from './registry.js';

const GROUP = 'Server options:';

/**
 * `rtbench serve`: starts the reference server with the flags' settings, prints the ready line
 * and the endpoint URLs on stdout, and on SIGINT or SIGTERM closes it (clients get 1001),
 * prints the final counters and returns `ExitCode.Ok`. A bad flag or a taken port is a
 * `UsageError` (exit 2).
 */
export const serveCommand: CommandSpec = {
  usage: 'serve',
  describe: 'Run the bundled reference server (WebSocket echo/broadcast, SSE streams, /stats)',
  examples: [
    ['$0 serve', 'listen on 127.0.0.1:60000'],
    ['$0 serve --port 0 --echo-delay 20', 'pick a free port; delay each echo by 20 ms'],
    ['$0 serve --publish-interval 100ms', 'publish a stamped message to /broadcast every 100 ms'],
  ],
  build: (y) =>
    y
      .option('host', { type: 'string', default: '127.0.0.1', group: GROUP, describe: 'Address to bind' })
      .option('port', { type: 'string', default: 60000, group: GROUP, describe: 'TCP port; 0 picks a free one' })
      .option('echo-delay', {
        type: 'string',
        default: 0,
        group: GROUP,
        describe: 'Delay before each /websocket echo (duration; a bare number is ms)',
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
        describe: 'Skip (and count) messages for a client with more than this unsent (size)',
      }),
  run: async (args) => {
    const options = readServeFlags(args);
    const { startReferenceServer } = await import('../../server/reference-server.js');
    const server = await startReferenceServer(options);
    printReady(server.host, server.port, options);
    const signal = await waitForShutdownSignal();
    const stats = await server.close();
    process.stdout.write(`rtbench serve stopped (${signal}): ${summarise(stats)}\n${JSON.stringify(stats)}\n`);
    return ExitCode.Ok;
  },
};

/** Turns the parsed flags into server options; each bad value is a `UsageError` naming its flag. */
function readServeFlags(args: Record<string, unknown>): Partial<ReferenceServerOptions> {
  const host = args.host;
  if (typeof host !== 'string' || host.trim() === '') {
    throw new UsageError(`--host must be a host name or address (got ${JSON.stringify(host)})`);
  }
  const port = countFlag('port', args.port, { integer: true });
  if (port > 65535) throw new UsageError(`--port must be between 0 and 65535 (got ${JSON.stringify(args.port)})`);
  const ticksIntervalMs = durationFlag('ticks-interval', args['ticks-interval']);
  if (ticksIntervalMs <= 0) {
    throw new UsageError(`--ticks-interval must be longer than 0 (got ${JSON.stringify(args['ticks-interval'])})`);
  }
  return {
    host: host.trim(),
    port,
    echoDelayMs: durationFlag('echo-delay', args['echo-delay']),
    publishIntervalMs: durationFlag('publish-interval', args['publish-interval']),
    sseCount: countFlag('sse-count', args['sse-count'], { integer: true }),
    sseIntervalMs: durationFlag('sse-interval', args['sse-interval']),
    ticksIntervalMs,
    ticksRetryMs: Math.round(durationFlag('ticks-retry', args['ticks-retry'])),
    slowClientLimitBytes: sizeFlag('slow-client-limit', args['slow-client-limit']),
  };
}

function printReady(host: string, port: number, o: Partial<ReferenceServerOptions>): void {
  const h = host.includes(':') ? `[${host}]` : host;
  const publisher = o.publishIntervalMs ? `, publisher every ${formatDurationMs(o.publishIntervalMs)}` : '';
  const lines = [
    `rtbench serve ready on ${host}:${port}`,
    `  ws://${h}:${port}/websocket     echo${o.echoDelayMs ? ` after ${formatDurationMs(o.echoDelayMs)}` : ''}`,
    `  ws://${h}:${port}/broadcast     every message to every client${publisher}`,
    `  http://${h}:${port}/sse         ${o.sseCount} events (data:i), ${formatDurationMs(o.sseIntervalMs ?? 0)} apart, then close`,
    `  http://${h}:${port}/sse/ticks   stamped events every ${formatDurationMs(o.ticksIntervalMs ?? 0)} (?count= ?interval=, Last-Event-ID)`,
    `  http://${h}:${port}/stats       counters as JSON (/stats/reset zeroes them)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Resolves with the first SIGINT or SIGTERM; the handlers are removed, so a second one ends the process. */
function waitForShutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

function summarise(s: ServerStats): string {
  return [
    `${s.connections_accepted} connections`,
    `${s.msgs_received} msgs received`,
    `${s.msgs_sent} sent`,
    `${s.msgs_dropped_slow} dropped (slow clients)`,
    `${s.sse_events_sent} SSE events`,
  ].join(', ');
}
