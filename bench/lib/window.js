/**
 * The measurement window shared by every echo figure: throughput is counted by the server
 * (its /stats `msgs_sent` on /websocket, i.e. echoes written) over the same wall-clock window
 * in which the tool's process tree is sampled for CPU and memory. The same method for rtbench,
 * the bare client and Artillery, so no tool is judged by its own arithmetic.
 *
 * The window opens `warmupMs` after the server sees every expected connection open (so each
 * tool's connect ramp, JIT warm-up and start-up costs stay outside), and lasts `windowMs`.
 */
import { cpuPercentBetween, sampleTree, startRssSampler, treeBreakdown } from './proc-tree.js';
import { sleep } from './stats.js';

const POLL_MS = 50;

/**
 * Polls /stats until `endpoint` has `connections` open; rejects when `toolDone` settles first
 * or after `timeoutMs`.
 * @returns {Promise<object>} the stats that satisfied the condition
 */
export async function waitForOpen(server, { endpoint = 'websocket', connections, timeoutMs, toolDone }) {
  let exited = false;
  toolDone?.then(() => (exited = true));
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const stats = await server.stats();
    if (stats.by_endpoint[endpoint].connections_open >= connections) return stats;
    if (exited) throw new Error(`the tool exited with ${stats.by_endpoint[endpoint].connections_open} of ${connections} connections open`);
    if (performance.now() > deadline)
      throw new Error(`only ${stats.by_endpoint[endpoint].connections_open} of ${connections} connections open after ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
}

/**
 * Measures one window of a closed-loop echo run.
 * The server's own CPU over the window is returned too: near 100 % it, not the tool, set the
 * throughput (Node serves on one core).
 * @returns {Promise<{
 *   msgsPerSec: number, cpuPercent: number, cpuUsPerMsg: number|null, serverCpuPercent: number,
 *   rssPeakBytes: number, rssMedianBytes: number, processes: object[], windowMs: number
 * }>}
 */
export async function measureEchoWindow(server, tool, { connections, warmupMs, windowMs, openTimeoutMs = 60_000 }) {
  await waitForOpen(server, { connections, timeoutMs: openTimeoutMs, toolDone: tool.done });
  await sleep(warmupMs);
  const rss = startRssSampler(tool.pid);
  const cpuA = sampleTree(tool.pid);
  const serverA = sampleTree(server.pid);
  const a = (await server.stats()).by_endpoint.websocket;
  await sleep(windowMs);
  const b = (await server.stats()).by_endpoint.websocket;
  const cpuB = sampleTree(tool.pid);
  const serverB = sampleTree(server.pid);
  const processes = treeBreakdown(tool.pid).map((p) => ({ ...p, cpuPercent: cpuPercentBetween(cpuA, cpuB, p.pid) }));
  const mem = rss.stop();
  const elapsedMs = cpuB.atMs - cpuA.atMs;
  if (b.connections_open < connections) {
    throw new Error(
      `connections dropped during the window (${b.connections_open} of ${connections} open): the tool stopped early; lengthen its run`,
    );
  }
  const msgsPerSec = ((b.msgs_sent - a.msgs_sent) / elapsedMs) * 1000;
  const cpuPercent = cpuPercentBetween(cpuA, cpuB);
  return {
    msgsPerSec,
    cpuPercent,
    // The tool's CPU time per echoed message: its cost independent of who set the pace.
    cpuUsPerMsg: msgsPerSec > 0 ? ((cpuPercent / 100) * 1e6) / msgsPerSec : null,
    serverCpuPercent: cpuPercentBetween(serverA, serverB),
    ...mem,
    processes,
    windowMs: elapsedMs,
  };
}
