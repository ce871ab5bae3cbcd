/**
 * Starts each built arena server the way `rtbench --server` does (rtbench's own launcher, the
 * port read from the server's ready line) and runs the conformance check against it.
 */
import { freeLoopbackPort, launchServer } from '../../dist/launch/server-command.js';
import { checkServer } from './conformance.mjs';

/** JVM start-up on a busy 2-core machine can take tens of seconds. */
export const READY_TIMEOUT_MS = 90_000;

/**
 * Runs `fn(port)` against a freshly started `target`, then stops it. The command names a fixed
 * port rather than `{port}`, so rtbench must find the port in the server's ready line.
 */
export async function withServer(target, fn) {
  const port = await freeLoopbackPort();
  const server = await launchServer({ command: target.command(port), readyTimeoutMs: READY_TIMEOUT_MS });
  try {
    if (server.port !== port) throw new Error(`ready line named port ${server.port}, not ${port}`);
    return await fn(port);
  } finally {
    await server.stop();
  }
}

/** The conformance verdicts of one target; a launch failure is one failed verdict. */
export async function checkTarget(target) {
  try {
    return await withServer(target, (port) => checkServer(port));
  } catch (err) {
    return [{ name: 'start', ok: false, detail: err instanceof Error ? err.message : String(err) }];
  }
}
