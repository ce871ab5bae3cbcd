// SSE client comparison: the default driver (node:http + eventsource-parser, src/protocol/sse.ts),
// the `eventsource` package driver (src/protocol/sse-eventsource.ts) and a bare node:http line
// splitter (the floor), each in its own process against a server in another process.
//
//   npm run build
//   node bench/sse-clients.js [--streams 2000] [--seconds 10] [--clients http,eventsource,bare]
//                             [--bulk-streams 50] [--bulk-events 20000]
//
// hold: <streams> streams on the reference server's /sse/ticks at one stamped event per second
// each (a fresh `rtbench serve` per client, so earlier sockets in TIME_WAIT never collide).
// Reports streams held, client memory per stream (RSS and JS heap growth after GC, divided by
// the streams), events/s, and the delay from the server's stamp to the client's receive (one
// way, shared clock) at p50/p99/max: a client that falls behind shows it here first.
// bulk: <bulk-streams> streams that each receive <bulk-events> events as fast as the server
// can write them (bench/sse-blast-server.js); events/s over all of them.
//
// The 19k run (the open-files limit is 20,000 per process, so client and server each hold
// their 19k sockets in their own process):
//   node bench/sse-clients.js --streams 19000 --seconds 20
// Measured on this project's 2-core machine (Node 20.20), 19,000 streams, 20 s, bulk 50 × 20,000,
// two runs (the machine was shared with other test runs, so delays and rates vary with its
// load; memory per stream does not):
//   client        held    RSS/stream   heap/stream  events/s held   delay p99      events/s bulk
//   http          19000   10.5 / 10.4  4.7 / 4.9    19,245 / 16,958  0.39 / 0.28 s  1.97M / 4.13M
//   eventsource   19000   72.2 / 73.6  28.2 / 28.2  20,034 / 21,483  2.74 / 3.29 s  0.53M / 1.15M
//   bare          19000   10.1 / 9.7   4.0 / 4.0    17,187 / 19,171  1.85 / 0.11 s  3.05M / 5.37M
// (KiB per stream.) The default driver costs ~0.5 KiB per stream over the bare splitter (the
// parser's state), the eventsource package ~7 times as much; it also took 6 to 7 minutes to
// open what the default driver opened in 20 to 24 s, and parses bulk events 3.6× slower.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : args[i + 1];
};
const streams = Number(opt('streams', '2000'));
const seconds = Number(opt('seconds', '10'));
const clients = opt('clients', 'http,eventsource,bare').split(',');
const bulkStreams = Number(opt('bulk-streams', '50'));
const bulkEvents = Number(opt('bulk-events', '20000'));
const here = (p) => fileURLToPath(new URL(p, import.meta.url));

/** Starts a child and resolves once a stdout line matches `ready`, with the match. */
function startServer(argv, ready) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = ready.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before it was ready: ${out}`)));
  });
}

function runChild(argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', here('./sse-clients-child.js'), ...argv], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch {
        reject(new Error(`client ${argv[1]} exited (${code}) without a result: ${out}`));
      }
    });
  });
}

async function stop(child) {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const results = [];
for (const client of clients) {
  const server = await startServer(
    [here('../bin/rtbench.js'), 'serve', '--port', '0', '--ticks-interval', '1s', '--slow-client-limit', '64MiB'],
    /ready on [^\s]+:(\d+)/,
  );
  try {
    const r = await runChild(['hold', client, `http://127.0.0.1:${server.port}/sse/ticks`, String(streams), String(seconds)]);
    results.push(r);
    process.stderr.write(`${JSON.stringify(r)}\n`);
  } finally {
    await stop(server.child);
  }
}
const blast = await startServer([here('./sse-blast-server.js'), String(bulkEvents)], /port (\d+)/);
try {
  for (const client of clients) {
    const r = await runChild(['bulk', client, `http://127.0.0.1:${blast.port}/`, String(bulkStreams)]);
    results.push(r);
    process.stderr.write(`${JSON.stringify(r)}\n`);
  }
} finally {
  await stop(blast.child);
}

const kib = (b) => (b / 1024).toFixed(1);
const lines = [
  `SSE clients, ${streams} streams held for ${seconds} s (1 stamped event/s each); bulk: ${bulkStreams} streams × ${bulkEvents} events`,
  '',
];
lines.push(
  '| client | streams held | failed | RSS/stream | heap/stream | events/s (held) | delay p50 | delay p99 | delay max | events/s (bulk) |',
);
lines.push('|---|---|---|---|---|---|---|---|---|---|');
for (const client of clients) {
  const h = results.find((r) => r.mode === 'hold' && r.client === client);
  const b = results.find((r) => r.mode === 'bulk' && r.client === client);
  lines.push(
    `| ${client} | ${h.held} | ${h.failed} | ${kib(h.rssPerStreamBytes)} KiB | ${kib(h.heapPerStreamBytes)} KiB ` +
      `| ${h.eventsPerSec} | ${h.delayP50Ms} ms | ${h.delayP99Ms} ms | ${h.delayMaxMs} ms | ${b.eventsPerSec} |`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
