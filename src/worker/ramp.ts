/**
 * Moves a worker's connection count per group to a target: opens at a connect rate (or as
 * fast as possible with a cap on handshakes in flight), interleaving groups in proportion, or
 * closes the newest ones. Resolves when every attempt has settled (open or failed), so phases
 * start with a known set of connections.
 */
import { rampDueCount } from '../load/schedule.js';
import type { Engine } from './engine.js';
import { sleep } from '../waits.js';

/** Handshakes in flight at once when no connect rate is given (avoids a SYN flood). */
const MAX_PENDING_HANDSHAKES = 256;
const RAMP_TICK_MS = 5;

export async function rampTo(engine: Engine, targets: number[], ratePerSec: number | undefined, isCancelled: () => boolean): Promise<void> {
  const toOpen = targets.map((t, g) => Math.max(0, t - engine.liveCount(g)));
  const toClose = targets.map((t, g) => Math.max(0, engine.liveCount(g) - t));
  const openTotal = toOpen.reduce((a, v) => a + v, 0);
  const closeTotal = toClose.reduce((a, v) => a + v, 0);
  const startedAt = Date.now();
  let done = 0;
  while (done < openTotal + closeTotal && !isCancelled()) {
    const due = rampDueCount(Date.now() - startedAt, openTotal + closeTotal, ratePerSec);
    while (done < due && engine.pendingCount < MAX_PENDING_HANDSHAKES) {
      // The group furthest from its target (relative to its size) goes next.
      const g = pickGroup(toOpen, toClose, targets);
      if (g < 0) break;
      const group = engine.groups[g]!;
      if (toOpen[g]! > 0) {
        engine.openSession(group);
        toOpen[g]!--;
      } else {
        engine.closeNewest(group, 1);
        toClose[g]!--;
      }
      done++;
    }
    if (done < openTotal + closeTotal) await sleep(RAMP_TICK_MS);
  }
  while (engine.pendingCount > 0 && !isCancelled()) await sleep(RAMP_TICK_MS);
}

function pickGroup(toOpen: number[], toClose: number[], targets: number[]): number {
  let best = -1;
  let bestScore = 0;
  for (let g = 0; g < targets.length; g++) {
    const left = toOpen[g]! + toClose[g]!;
    const score = left / Math.max(1, targets[g]!);
    if (left > 0 && score > bestScore) {
      best = g;
      bestScore = score;
    }
  }
  return best;
}
