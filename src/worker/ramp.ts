/**
 * Moves a worker's connection count to a target: opens at a connect rate (or as fast as
 * possible with a cap on handshakes in flight), or closes the newest ones. Resolves when every
 * attempt has settled (open or failed), so phases start with a known set of connections.
 */
import { rampDueCount } from '../load/schedule.js';
import type { EchoEngine } from './echo-engine.js';

/** Handshakes in flight at once when no connect rate is given (avoids a SYN flood). */
const MAX_PENDING_HANDSHAKES = 256;
const RAMP_TICK_MS = 5;

export async function rampTo(engine: EchoEngine, target: number, ratePerSec: number | undefined, isCancelled: () => boolean): Promise<void> {
  const current = engine.liveCount;
  if (target < current) {
    await closeAtRate(engine, current - target, ratePerSec, isCancelled);
    return;
  }
  const toOpen = target - current;
  const startedAt = Date.now();
  let started = 0;
  while (started < toOpen && !isCancelled()) {
    const due = rampDueCount(Date.now() - startedAt, toOpen, ratePerSec);
    while (started < due && engine.pendingCount < MAX_PENDING_HANDSHAKES) {
      engine.openSession();
      started++;
    }
    if (started < toOpen) await sleep(RAMP_TICK_MS);
  }
  while (engine.pendingCount > 0 && !isCancelled()) await sleep(RAMP_TICK_MS);
}

async function closeAtRate(engine: EchoEngine, count: number, ratePerSec: number | undefined, isCancelled: () => boolean): Promise<void> {
  const startedAt = Date.now();
  let closed = 0;
  while (closed < count && !isCancelled()) {
    const due = rampDueCount(Date.now() - startedAt, count, ratePerSec);
    engine.closeNewest(due - closed);
    closed = due;
    if (closed < count) await sleep(RAMP_TICK_MS);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
