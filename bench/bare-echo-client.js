// Baseline for the generator-overhead benchmark: the least a Node `ws` client can do for a
// closed-loop echo (N connections × K in flight, fixed payload), counting replies only.
// Usage: node bench/bare-echo-client.js <ws-url> <connections> <inFlight> <seconds> [sizeBytes] [warmupSeconds]
// Prints one JSON line: { msgsPerSec, p50us, latencyCount, cpuPercent, rssBytes, connections }.
// msgsPerSec counts replies over `seconds` after a warm-up; p50us is only measured with one
// connection (the latency benchmark), recorded like rtbench does: integer µs in the same HDR
// histogram (3 significant digits), so both p50s are quantised alike.
import WebSocket from 'ws';
import { createLatencyHistogram } from '../dist/metrics/histogram.js';

const [url, connArg = '100', inFlightArg = '10', secondsArg = '5', sizeArg = '32', warmupArg = '1'] = process.argv.slice(2);
if (!url) {
  process.stderr.write('usage: node bench/bare-echo-client.js <ws-url> <connections> <inFlight> <seconds> [sizeBytes] [warmupSeconds]\n');
  process.exit(2);
}
const connections = Number(connArg);
const inFlight = Number(inFlightArg);
const seconds = Number(secondsArg);
const warmupSeconds = Number(warmupArg);
const payload = Buffer.alloc(Number(sizeArg), 'x');
// Text frames, as rtbench sends by default (the receiver validates UTF-8 for both).
const SEND_OPTIONS = { binary: false };
const recordLatency = connections === 1;
const latencyUs = createLatencyHistogram();
let replies = 0;
let measuring = false;
const sockets = [];
/** Each connection's first sends, called once every connection is open. */
const starters = [];

await Promise.all(
  Array.from(
    { length: connections },
    () =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(url, { perMessageDeflate: false });
        const sentAt = [];
        ws.on('open', () => {
          sockets.push(ws);
          resolve(undefined);
        });
        ws.on('error', reject);
        ws.on('message', () => {
          const t = sentAt.shift();
          if (measuring) {
            replies++;
            if (recordLatency) latencyUs.recordValue(Math.max(1, Math.round((performance.now() - t) * 1000)));
          }
          sentAt.push(performance.now());
          ws.send(payload, SEND_OPTIONS);
        });
        starters.push(() => {
          for (let i = 0; i < inFlight; i++) {
            sentAt.push(performance.now());
            ws.send(payload, SEND_OPTIONS);
          }
        });
      }),
  ),
);
for (const start of starters) start();
await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
measuring = true;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
measuring = false;
const cpu = process.cpuUsage(cpu0);
const elapsedMs = performance.now() - t0;
const report = {
  msgsPerSec: Math.round(replies / (elapsedMs / 1000)),
  p50us: recordLatency && latencyUs.totalCount > 0 ? latencyUs.getValueAtPercentile(50) : null,
  latencyCount: latencyUs.totalCount,
  cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10,
  rssBytes: process.memoryUsage.rss(),
  connections: sockets.length,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
for (const ws of sockets) ws.terminate();
