/**
 * `--cluster N`: the primary forks N workers that share the port, relays every broadcast
 * message to all of them, and runs each published channel's publisher once for the cluster.
 */
import cluster from 'node:cluster';
import { startPublisher } from './publisher.mjs';

export function startPrimary(count, port) {
  // Buffers cross the IPC channel as they are (structured clone), not as JSON arrays.
  cluster.setupPrimary({ serialization: 'advanced' });
  const deliverAll = (name, data, isBinary) => {
    for (const w of Object.values(cluster.workers ?? {})) w?.send({ kind: 'deliver', name, data, isBinary });
  };
  const publishers = new Set();
  let listening = 0;
  for (let i = 0; i < count; i++) {
    const worker = cluster.fork();
    worker.on('message', (m) => {
      if (m.kind === 'listening' && ++listening === count) console.log(`listening on 127.0.0.1:${port}`);
      else if (m.kind === 'publish') deliverAll(m.name, m.data, m.isBinary);
      else if (m.kind === 'publisher' && !publishers.has(m.name)) {
        publishers.add(m.name);
        startPublisher(m.hz, (data) => deliverAll(m.name, data, false));
      }
    });
  }
  // A worker that dies takes the cluster down: a benchmark must not go on with fewer.
  cluster.on('exit', (w, code, signal) => {
    console.error(`worker ${w.process.pid} exited (${signal ?? code})`);
    process.exit(1);
  });
  const stop = () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
