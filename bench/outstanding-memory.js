#!/usr/bin/env node
// Heap bytes per outstanding message in an echo connection's send queue (dist/load/send-queue.js),
// the figure behind the README's memory bound for open-loop runs without a cap.
//   node --expose-gc bench/outstanding-memory.js
import { SendQueue } from '../dist/load/send-queue.js';

if (typeof globalThis.gc !== 'function') {
  process.stderr.write('run with node --expose-gc\n');
  process.exit(2);
}
const QUEUES = 1000;
for (const perQueue of [1000, 1500, 10_000]) {
  globalThis.gc();
  const before = process.memoryUsage();
  const queues = [];
  for (let i = 0; i < QUEUES; i++) {
    const q = new SendQueue();
    for (let k = 0; k < perQueue; k++) q.push(k, k * 10, k * 10 + 1);
    queues.push(q);
  }
  globalThis.gc();
  const after = process.memoryUsage();
  const bytes = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  process.stdout.write(`${perQueue} outstanding × ${QUEUES} queues: ${(bytes / (QUEUES * perQueue)).toFixed(1)} bytes per message\n`);
  queues.length = 0;
}
