// Baseline for the connections benchmark: the least a Node `ws` client can do to open N idle
// WebSocket connections and hold them. Opens them as fast as possible with at most 256
// handshakes in flight (the cap rtbench's ramp uses, so neither SYN-floods the server's
// accept queue), holds them `holdSeconds` after the last one settled, then closes them.
// Usage: node bench/bare-hold-client.js <ws-url> <connections> <holdSeconds>
// Prints one JSON line: { opened, failed, connectMs, rssBytes }.
import WebSocket from 'ws';

const MAX_PENDING_HANDSHAKES = 256;
const [url, connArg = '1000', holdArg = '3'] = process.argv.slice(2);
if (!url) {
  process.stderr.write('usage: node bench/bare-hold-client.js <ws-url> <connections> <holdSeconds>\n');
  process.exit(2);
}
const connections = Number(connArg);
const sockets = [];
let failed = 0;
let started = 0;
let pending = 0;

const t0 = performance.now();
await new Promise((resolve) => {
  const settle = () => {
    pending--;
    if (started < connections) openNext();
    else if (pending === 0) resolve(undefined);
  };
  const openNext = () => {
    started++;
    pending++;
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let settled = false;
    ws.once('open', () => {
      settled = true;
      sockets.push(ws);
      settle();
    });
    // Kept for the socket's lifetime: an 'error' with no listener would throw.
    ws.on('error', () => {
      if (settled) return;
      settled = true;
      failed++;
      settle();
    });
  };
  if (connections === 0) resolve(undefined);
  while (started < Math.min(connections, MAX_PENDING_HANDSHAKES)) openNext();
});
const connectMs = performance.now() - t0;
await new Promise((r) => setTimeout(r, Number(holdArg) * 1000));
const rssBytes = process.memoryUsage.rss();
process.stdout.write(`${JSON.stringify({ opened: sockets.length, failed, connectMs: Math.round(connectMs), rssBytes })}\n`);
for (const ws of sockets) ws.terminate();
