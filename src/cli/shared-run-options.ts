/**
 * The load and connection flags `run` and `compare` share, defined once so both commands read
 * and describe them alike. Units stay strings here; run-action.ts parses them and names the
 * flag in any error. Repeatable flags are plain strings (yargs collects repeats into a list):
 * an `array` option would swallow the positional after it (`--header x echo`).
 */
import type { Argv, Options } from 'yargs';

export const SHARED_RUN_OPTIONS = {
  connections: { alias: 'c', type: 'string', describe: 'connections to hold (e.g. 100, 10k)' },
  'connect-rate': { type: 'string', describe: 'connections opened per second during the ramp (default: as fast as possible)' },
  rate: { alias: 'r', type: 'string', describe: 'messages per second per connection, decimals allowed; makes the run open loop' },
  arrival: { choices: ['uniform', 'poisson'] as const, describe: 'open-loop send spacing' },
  'max-in-flight': {
    type: 'string',
    describe:
      'open loop, request/response emulation: messages awaiting a reply per connection ' +
      'before a due send waits, as wrk2 over HTTP/1.1 (0 = never wait) [default: 0]',
  },
  'request-response': {
    type: 'boolean',
    describe: 'open loop, request/response emulation: one message awaiting a reply per connection (short for --max-in-flight 1)',
  },
  'in-flight': { type: 'string', describe: 'messages outstanding per connection; makes the run closed loop' },
  'think-time': { type: 'string', describe: 'closed loop: pause after each reply (e.g. 100ms)' },
  duration: { alias: 'd', type: 'string', describe: 'steady time after the connect ramp (e.g. 30s, 2m; bare number = seconds)' },
  warmup: { type: 'string', describe: 'first part of the steady time excluded from the histograms (e.g. 1s)' },
  size: { type: 'string', describe: 'message size (e.g. 32, 1KiB); the stamp is embedded' },
  binary: { type: 'boolean', describe: 'send binary frames instead of text' },
  workers: { alias: 'w', type: 'string', describe: 'generator processes (default: right for this machine)' },
  header: { alias: 'H', type: 'string', describe: "request header 'Name: value' (repeatable)" },
  subprotocol: { type: 'string', describe: 'WebSocket subprotocol to offer (repeatable)' },
  origin: { type: 'string', describe: 'Origin header for the handshake' },
  insecure: { type: 'boolean', describe: 'accept self-signed TLS certificates (said in the report)' },
  deflate: { type: 'boolean', describe: 'negotiate permessage-deflate' },
  'handshake-timeout': { type: 'string', describe: 'connect + handshake limit [default: 5s]' },
  'reply-timeout': { type: 'string', describe: 'a reply later than this is lost [default: 10s]' },
  'max-outstanding': {
    type: 'string',
    describe:
      'messages awaiting a reply per connection before the oldest is given up as lost (outstanding_limit); bounds memory [default: 10000]',
  },
  'server-cpus': {
    type: 'string',
    describe: 'run the target server on these CPUs (taskset list: 0, 0-1, 0,2); the report says what was pinned',
  },
  'client-cpus': { type: 'string', describe: 'run rtbench and its generator processes on these CPUs (taskset list)' },
  'server-ready-timeout': {
    type: 'string',
    describe: 'how long a server rtbench starts (--server) has to accept connections [default: 10s]',
  },
} satisfies Record<string, Options>;

export type SharedRunOption = keyof typeof SHARED_RUN_OPTIONS;

/** The load flags of every command that runs load (run, find, live compare). */
export const LOAD_FLAGS = [
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
] as const satisfies readonly SharedRunOption[];

/** The connection flags of `run` and `find`. */
export const CONNECTION_FLAGS = [
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
] as const satisfies readonly SharedRunOption[];

/** Every option of `table` under the help group `group` (for `y.options`). */
export function inGroup(table: Record<string, Options>, group: string): Record<string, Options> {
  return Object.fromEntries(Object.entries(table).map(([name, o]) => [name, { ...o, group }]));
}

/** The options `names` from the shared table, under the help group `group` (for `y.options`). */
export function sharedOptions(group: string, names: readonly SharedRunOption[]): Record<string, Options> {
  return inGroup(Object.fromEntries(names.map((name) => [name, SHARED_RUN_OPTIONS[name]])), group);
}

/** Declares `names` from the shared table on `y`, under the help group `group`. */
export function withSharedOptions(y: Argv, group: string, names: readonly SharedRunOption[]): Argv {
  return y.options(sharedOptions(group, names));
}
