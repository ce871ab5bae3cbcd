/**
 * Arena servers for tests: whether the machine can build one (a missing toolchain is a skip
 * with its reason), building it through the arena's own build script (cached: a second run
 * builds nothing), and starting it the way `rtbench --server` does.
 */
import { buildOne, missingToolchain } from '../../arena/lib/build.mjs';
import { READY_TIMEOUT_MS } from '../../arena/lib/check.mjs';
import { BUILDS, TARGETS } from '../../arena/lib/servers.mjs';
import { freeLoopbackPort, type LaunchedServer, launchServer } from '../../dist/launch/server-command.js';

/** A cold build on 2 cores: Rust with LTO takes minutes. */
export const BUILD_TIMEOUT_MS = 20 * 60_000;

export type ArenaTarget = (typeof TARGETS)[number];
export const ARENA_TARGETS: readonly ArenaTarget[] = TARGETS;

function specOf(target: ArenaTarget): (typeof BUILDS)[number] {
  return BUILDS.find((b) => b.name === target.build)!;
}

/** Why `target` cannot be built on this machine, or undefined when its toolchain is there. */
export function skipReason(target: ArenaTarget): string | undefined {
  return missingToolchain(specOf(target));
}

/** Builds `target` (or finds its build up to date); throws with the build log's tail when the build fails. */
export async function ensureBuilt(target: ArenaTarget): Promise<void> {
  const outcome = await buildOne(specOf(target), { timeoutMs: BUILD_TIMEOUT_MS, retryFailed: false });
  if (outcome.status === 'failed' || outcome.status === 'skipped') {
    throw new Error(`arena/${target.build} build ${outcome.status}: ${outcome.detail}\n${outcome.tail.join('\n')}`);
  }
}

/**
 * Starts `target` on a free port named in its command (not `{port}`), so the launcher must
 * read the port from the server's ready line, as it does for any printed port.
 */
export async function startArenaServer(target: ArenaTarget): Promise<LaunchedServer> {
  const port = await freeLoopbackPort();
  const server = await launchServer({ command: target.command(port), readyTimeoutMs: READY_TIMEOUT_MS });
  if (server.port !== port) {
    await server.stop();
    throw new Error(`${target.name} announced port ${server.port}, not ${port}`);
  }
  return server;
}
