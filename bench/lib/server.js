/**
 * A fresh reference server per repetition: `node bin/rtbench.js serve --port 0` as a child
 * process, so no run inherits another's heap, sockets or counters, and its RSS is that of a
 * process that served this run only.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { track } from './children.js';
import { readRssBytes } from './proc-tree.js';

/** The repository root (bench/lib/../..). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 3_000;

/**
 * Starts the server and resolves once it prints its ready line.
 * @param {string[]} [extraArgs] more `rtbench serve` flags (e.g. SSE intervals)
 */
export function startServer(extraArgs = []) {
  const child = track(
    spawn(process.execPath, ['bin/rtbench.js', 'serve', '--port', '0', ...extraArgs], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`reference server not ready after ${READY_TIMEOUT_MS} ms: ${output.trim()}`));
    }, READY_TIMEOUT_MS);
    const onData = (chunk) => {
      output += chunk;
      const m = /ready on 127\.0\.0\.1:(\d+)/.exec(output);
      if (!m) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stdout.resume();
      resolve(serverHandle(child, Number(m[1])));
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onData);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`reference server exited with code ${code} before it was ready: ${output.trim()}`));
    });
  });
}

function serverHandle(child, port) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    pid: child.pid,
    port,
    /** ws:// or http:// URL of an endpoint path. */
    url: (scheme, path) => `${scheme}://127.0.0.1:${port}${path}`,
    /** The server's /stats counters. */
    async stats() {
      const res = await fetch(`http://127.0.0.1:${port}/stats`);
      return res.json();
    },
    rssBytes: () => readRssBytes(child.pid),
    /** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs `fn(server)` against a fresh server and always stops it. */
export async function withServer(fn, extraArgs) {
  const server = await startServer(extraArgs);
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}
