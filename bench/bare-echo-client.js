// Baseline for the generator-overhead benchmark: the least a Node `ws` client can do for a
// closed-loop echo (N connections × K in flight, fixed payload), counting replies only.
// Usage: node bench/bare-echo-client.js <ws-url> <connections> <inFlight> <seconds> [sizeBytes]
import WebSocket from 'ws';

const [url, connArg = '100', inFlightArg = '10', secondsArg = '5', sizeArg = '32'] = process.argv.slice(2);
const connections = Number(connArg);
const inFlight = Number(inFlightArg);
const seconds = Number(secondsArg);
const payload = Buffer.alloc(Number(sizeArg), 'x');
let replies = 0;
let measuring = false;
const latencies = [];
const sockets = [];

await Promise.all(Array.from({ length: connections }, () => new Promise((resolve, reject) => {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const sentAt = [];
  ws.on('open', () => {
    sockets.push(ws);
    resolve();
  });
  ws.on('error', reject);
  ws.on('message', () => {
    const t = sentAt.shift();
    if (measuring) {
      replies++;
      if (connections === 1) latencies.push(performance.now() - t);
    }
    sentAt.push(performance.now());
    ws.send(payload);
  });
  ws.start = () => {
    for (let i = 0; i < inFlight; i++) {
      sentAt.push(performance.now());
      ws.send(payload);
    }
  };
})));
for (const ws of sockets) ws.start();
await new Promise((r) => setTimeout(r, 1000)); // warm-up
measuring = true;
const t0 = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
measuring = false;
const elapsed = (performance.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
const p50us = latencies.length ? Math.round(latencies[Math.floor(latencies.length / 2)] * 1000) : null;
process.stdout.write(JSON.stringify({ msgsPerSec: Math.round(replies / elapsed), p50us }) + '\n');
for (const ws of sockets) ws.terminate();
