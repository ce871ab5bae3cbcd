#!/usr/bin/env node
/**
 * Opens many idle WebSocket connections with plain `ws` from several processes and holds them:
 * the bare-client baseline for connection counts, and the way to check that a server holds
 * 100,000 connections.
 *
 *   node bench/hold-connections.js <url> <count> [--local-addresses a,b,..] [--processes N]
 *                                  [--concurrency K] [--hold 10] [--json]
 *
 * - Each process opens its share (count split as base + 1 for the first `count % N`) and at most
 *   19,000: the open-files limit is per process, 20,000 here, and cannot be raised.
 * - `--local-addresses` spreads connections over source addresses round-robin. One source
 *   address reaches one server port with at most ~28k ephemeral ports (32768-60999), so 100k
 *   connections on loopback need 4: 127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4.
 *   With source addresses the source port is chosen here too (`localPort`): connection g uses
 *   address g mod A and port 10000 + floor(g / A). Binding with port 0 makes the kernel search
 *   the whole range for a free port on each bind, which it does not do for connect(); measured
 *   here that search (`inet_csk_get_port`, bhash2 conflict checks) took over half the machine's
 *   CPU by 40k connections and cut the connect rate to ~200/s. A port found taken is given back
 *   to the kernel to choose (port 0) for that one connection.
 * - `--concurrency`: handshakes in flight per process (default 64).
 * - `--hold`: seconds to hold once all are open (default 5), then every connection is closed.
 *
 * Prints how many opened and failed (by error code), the connect rate over the whole ramp, the
 * client processes' RSS, and, when the server answers `/stats` (rtbench serve), its open
 * connections and the RSS of its processes (read from /proc, so same host only).
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const MAX_PER_PROCESS = 19_000;
/** First source port when ports are assigned; below Linux's ephemeral range (32768-60999). */
const FIRST_SOURCE_PORT = 10_000;
const CHILD_ENV = 'HOLD_CONNECTIONS_CHILD';

if (process.env[CHILD_ENV]) runChild(JSON.parse(process.env[CHILD_ENV]));
else await runParent(parseArgs(process.argv.slice(2)));

function usage(problem) {
  process.stderr.write(
    `hold-connections: ${problem}\n` +
      'usage: node bench/hold-connections.js <url> <count> ' +
      '[--local-addresses a,b,..] [--processes N] [--concurrency K] [--hold SECONDS] [--json]\n',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { url: undefined, count: undefined, localAddresses: [], processes: undefined, concurrency: 64, holdS: 5, isJson: false };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    if (a === '--local-addresses') opts.localAddresses = value().split(',').filter(Boolean);
    else if (a === '--processes') opts.processes = Number(value());
    else if (a === '--concurrency') opts.concurrency = Number(value());
    else if (a === '--hold') opts.holdS = Number(value());
    else if (a === '--json') opts.isJson = true;
    else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else positional.push(a);
  }
  [opts.url, opts.count] = [positional[0], Number(positional[1])];
  if (!opts.url || !/^wss?:\/\//.test(opts.url)) usage('give a ws:// url');
  if (!Number.isInteger(opts.count) || opts.count < 1) usage(`count must be a whole number >= 1 (got ${positional[1]})`);
  opts.processes ??= Math.ceil(opts.count / MAX_PER_PROCESS);
  if (!Number.isInteger(opts.processes) || opts.processes < 1) usage('--processes must be a whole number >= 1');
  if (Math.ceil(opts.count / opts.processes) > MAX_PER_PROCESS) {
    usage(
      `${opts.count} connections over ${opts.processes} processes is more than ${MAX_PER_PROCESS} ` +
        `per process (open-files limit); use --processes ${Math.ceil(opts.count / MAX_PER_PROCESS)}`,
    );
  }
  if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) usage('--concurrency must be a whole number >= 1');
  if (!(opts.holdS >= 0)) usage('--hold must be a number of seconds >= 0');
  if (opts.localAddresses.length > 0 && FIRST_SOURCE_PORT + Math.ceil(opts.count / opts.localAddresses.length) > 65_535) {
    usage(
      `${opts.count} connections need more source addresses ` +
        `than ${opts.localAddresses.length} (at most ${65_535 - FIRST_SOURCE_PORT} ports each)`,
    );
  }
  return opts;
}

/**
 * One client process: opens its share, reports, holds until told to close. `firstIndex` is the
 * global number of its first connection, which fixes each connection's source address and port.
 */
function runChild({ url, count, firstIndex, localAddresses, concurrency }) {
  const sockets = [];
  const errors = {};
  let opened = 0;
  let failed = 0;
  let closedEarly = 0;
  let next = 0;
  let isClosing = false;
  const startedAt = performance.now();
  let lastOpenAt = startedAt;

  const onEarlyClose = () => {
    if (!isClosing) closedEarly++;
  };
  const openOne = (retryOf) => {
    if (retryOf === undefined && next >= count) return;
    const g = retryOf ?? firstIndex + next++;
    const options = { perMessageDeflate: false, handshakeTimeout: 30_000 };
    if (localAddresses.length > 0) {
      options.localAddress = localAddresses[g % localAddresses.length];
      if (retryOf === undefined) options.localPort = FIRST_SOURCE_PORT + Math.floor(g / localAddresses.length);
      // A retry lets the kernel pick the port (the assigned one was in use), from the next
      // address, in case this one's range is crowded by other programs.
      else options.localAddress = localAddresses[(g + 1) % localAddresses.length];
    }
    const ws = new WebSocket(url, options);
    let isSettled = false;
    ws.once('open', () => {
      isSettled = true;
      opened++;
      lastOpenAt = performance.now();
      sockets.push(ws);
      ws.on('close', onEarlyClose);
      settle();
    });
    ws.once('error', (/** @type {NodeJS.ErrnoException} */ err) => {
      if (isSettled) return;
      isSettled = true;
      if (err.code === 'EADDRINUSE' && options.localPort !== undefined) return openOne(g);
      failed++;
      const code = err.code ?? err.message.slice(0, 60);
      errors[code] = (errors[code] ?? 0) + 1;
      settle();
    });
    // Errors after the open end in 'close', counted above; ws needs a listener regardless.
    ws.on('error', () => {});
  };
  const settle = () => {
    if (opened + failed === count) {
      process.send({ type: 'opened', opened, failed, errors, elapsedMs: lastOpenAt - startedAt, rssBytes: process.memoryUsage().rss });
    } else openOne();
  };
  const progress = setInterval(() => process.send({ type: 'progress', opened, failed }), 1000);
  process.on('message', (/** @type {{ type: string }} */ msg) => {
    if (msg.type !== 'close') return;
    isClosing = true;
    clearInterval(progress);
    for (const ws of sockets) ws.terminate();
    process.send({ type: 'closed', closedEarly }, () => process.disconnect());
  });
  process.on('disconnect', () => process.exit(0));
  for (let k = 0; k < Math.min(concurrency, count); k++) openOne();
}

async function runParent(opts) {
  const { url, count, processes } = opts;
  const log = (line) => process.stderr.write(`${line}\n`);
  const shares = Array.from({ length: processes }, (_, i) => Math.floor(count / processes) + (i < count % processes ? 1 : 0));
  const firstIndexes = shares.map((_, i) => shares.slice(0, i).reduce((n, s) => n + s, 0));
  log(
    `hold-connections: ${count} to ${url} from ${processes} processes (${shares.join(', ')})` +
      `${opts.localAddresses.length ? ` over ${opts.localAddresses.join(', ')}` : ''}, ${opts.concurrency} handshakes in flight each`,
  );

  const startedAt = performance.now();
  const children = shares.map((share, i) =>
    fork(fileURLToPath(import.meta.url), [], {
      env: {
        ...process.env,
        [CHILD_ENV]: JSON.stringify({
          url,
          count: share,
          firstIndex: firstIndexes[i],
          localAddresses: opts.localAddresses,
          concurrency: opts.concurrency,
        }),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const progress = children.map(() => ({ opened: 0, failed: 0 }));
  const ticker = setInterval(() => {
    const sum = (key) => progress.reduce((n, p) => n + p[key], 0);
    log(`  ${((performance.now() - startedAt) / 1000).toFixed(0)} s: ${sum('opened')} open, ${sum('failed')} failed`);
  }, 5000);
  const results = await Promise.all(
    children.map(
      (child, i) =>
        new Promise((resolve, reject) => {
          child.on('message', (/** @type {any} */ msg) => {
            if (msg.type === 'progress') progress[i] = msg;
            else if (msg.type === 'opened') resolve(msg);
          });
          child.once('exit', (code) => reject(new Error(`client process ${i} exited (code ${code}) before opening its share`)));
        }),
    ),
  );
  clearInterval(ticker);
  const opened = results.reduce((n, r) => n + r.opened, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  const rampMs = Math.max(...results.map((r) => r.elapsedMs));
  const wallMs = performance.now() - startedAt;
  const errors = {};
  for (const r of results) for (const [k, n] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + n;
  const clientRssBytes = results.reduce((n, r) => n + r.rssBytes, 0);

  log(
    `opened ${opened}/${count}, failed ${failed}${failed ? ` ${JSON.stringify(errors)}` : ''}; ramp ${(rampMs / 1000).toFixed(1)} s ` +
      `(${Math.round(opened / (rampMs / 1000))} connections/s), ${(wallMs / 1000).toFixed(1)} s with process start`,
  );
  log(
    `client RSS ${mib(clientRssBytes)} over ${processes} processes ` +
      `(${(clientRssBytes / Math.max(1, opened) / 1024).toFixed(1)} KiB per connection)`,
  );

  if (opts.holdS > 0) await new Promise((r) => setTimeout(r, opts.holdS * 1000));
  const server = await serverSide(url);
  if (server) {
    const rss =
      server.pids.length === 0
        ? 'RSS unknown (one-process server: no pids in /stats)'
        : `RSS ${mib(server.rssBytes)} over ${server.pids.length} processes ` +
          `(${(server.rssBytes / Math.max(1, server.connectionsOpen) / 1024).toFixed(1)} KiB per connection)`;
    log(`server: ${server.connectionsOpen} open${server.perProcess ? ` (per worker ${server.perProcess.join(', ')})` : ''}; ${rss}`);
  }

  const closed = await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          child.on('message', (/** @type {any} */ msg) => msg.type === 'closed' && resolve(msg.closedEarly));
          child.once('exit', () => resolve(0));
          child.send({ type: 'close' });
        }),
    ),
  );
  const closedDuringHold = closed.reduce((n, c) => n + c, 0);
  if (closedDuringHold > 0) log(`${closedDuringHold} connections closed by the server during the hold`);
  const summary = {
    url,
    count,
    processes,
    localAddresses: opts.localAddresses,
    opened,
    failed,
    errors,
    closedDuringHold,
    rampMs: Math.round(rampMs),
    connectRatePerSec: Math.round(opened / (rampMs / 1000)),
    clientRssBytes,
    server: server ?? null,
  };
  if (opts.isJson) process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.exitCode = opened === count && closedDuringHold === 0 ? 0 : 1;
}

/** The server's open connections and the RSS of its processes, from /stats and /proc; null when unknown. */
async function serverSide(wsUrl) {
  const u = new URL(wsUrl);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = '/stats';
  let stats;
  try {
    stats = await (await fetch(u, { signal: AbortSignal.timeout(5000) })).json();
  } catch {
    return null;
  }
  const workers = (stats.by_process ?? []).map((p) => p.pid);
  // The cluster primary is the workers' parent.
  const parents = new Set(workers.map(parentPid).filter((p) => p !== undefined));
  const pids = [...parents, ...workers];
  const rssBytes = pids.reduce((n, pid) => n + (rssOf(pid) ?? 0), 0);
  return {
    connectionsOpen: stats.connections_open,
    perProcess: stats.by_process?.map((p) => p.connections_open),
    pids,
    rssBytes,
  };
}

function parentPid(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function rssOf(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function mib(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}
