// Heap bytes per outstanding message in the echo session's send queue (dist/load/send-queue.js).
import { SendQueue } from '/work/main/dist/load/send-queue.js';
const QUEUES = 1000;
for (const perQueue of [1000, 1500, 10000]) {
  globalThis.gc(); globalThis.gc();
  const before = process.memoryUsage();
  const qs = [];
  for (let i = 0; i < QUEUES; i++) {
    const q = new SendQueue();
    for (let k = 0; k < perQueue; k++) q.push(k, k * 10, k * 10 + 1);
    qs.push(q);
  }
  globalThis.gc(); globalThis.gc();
  const after = process.memoryUsage();
  const bytes = (after.heapUsed + after.arrayBuffers) - (before.heapUsed + before.arrayBuffers);
  console.log(`${perQueue} outstanding per queue × ${QUEUES}: ${(bytes / (QUEUES * perQueue)).toFixed(1)} bytes per message`);
  qs.length = 0;
}
