/**
 * The fan-out roles' main side (coordinator.ts): sums every worker's publishing at the drain
 * so each subscriber learns what it should have received, and builds the result's `fanout`
 * section from every worker's final summary. The counting method is in fanout-book.ts.
 */
import { keepWorst } from '../../metrics/fanout-section.js';
import type { FanoutResult, FanoutSubscriberStat } from '../../metrics/result.js';
import type { Scenario } from '../../scenario/types.js';
import { SCENARIO_DEFAULTS } from '../../scenario/validate.js';
import type { MainCoordinator, SectionContext } from '../coordinator.js';
import { FANOUT_METHOD, type FanoutPublished, type FanoutTotals, type FanoutWorkerSummary } from './fanout-book.js';

/** The runner's sums of every worker's publishing (what each worker gets back at the drain). */
export function sumFanoutPublished(reports: FanoutPublished[], isComplete: boolean): FanoutTotals {
  const parts = Math.max(0, ...reports.map((r) => r.publishedByPart.length));
  const publishedByPart = new Array<number>(parts).fill(0);
  let serverMaxSeq = -1;
  for (const r of reports) {
    r.publishedByPart.forEach((n, p) => {
      publishedByPart[p]! += n;
    });
    if (r.serverMaxSeq > serverMaxSeq) serverMaxSeq = r.serverMaxSeq;
  }
  return { publishedByPart, serverMaxSeq, isComplete };
}

/** Builds the result's fan-out section from every worker's final summary. */
export function mergeFanoutSummaries(
  summaries: FanoutWorkerSummary[],
  scenario: Scenario,
  serverPublishRatePerSec: number | undefined,
): FanoutResult {
  const spec = scenario.fanout ?? SCENARIO_DEFAULTS.fanout;
  let seqMin = -1;
  let seqMax = -1;
  const worst: FanoutSubscriberStat[] = [];
  for (const s of summaries) {
    if (s.serverSeqMin >= 0 && (seqMin < 0 || s.serverSeqMin < seqMin)) seqMin = s.serverSeqMin;
    if (s.serverSeqMax > seqMax) seqMax = s.serverSeqMax;
    for (const w of s.worst) keepWorst(worst, w);
  }
  const sum = (k: 'publishers' | 'subscribers' | 'published') => summaries.reduce((a, s) => a + s[k], 0);
  return {
    method: FANOUT_METHOD,
    includeSender: spec.includeSender,
    publishers: sum('publishers'),
    subscribers: sum('subscribers'),
    published: sum('published'),
    serverPublished: seqMax >= 0 ? seqMax - seqMin + 1 : 0,
    ...(serverPublishRatePerSec ? { serverPublishRatePerSec } : {}),
    lateAfterMs: spec.lateAfterMs,
    worstSubscribers: worst,
  };
}

/** Notes the fan-out section needs next to its numbers (target-dependent caveats). */
function fanoutRunNotes(scenario: Scenario, isEmbedded: boolean, targetUrl: string, f: FanoutResult): string[] {
  const notes: string[] = [];
  if (scenario.server && !isEmbedded) notes.push('server.publishRate applies to the embedded server only: the target publishes by itself');
  const host = new URL(targetUrl).hostname;
  const isLocal = host === 'localhost' || host.startsWith('127.') || host === '[::1]' || host === '::1';
  if (f.serverPublished > 0 && !isLocal) {
    notes.push(
      "fanout_latency of the server's own messages assumes the server stamps with this host's monotonic clock; " +
        'a server on another host needs synchronised wall clocks instead',
    );
  }
  return notes;
}

export const FANOUT_MAIN: MainCoordinator = {
  section: 'fanout',
  combine: (values, isComplete) => sumFanoutPublished(values as FanoutPublished[], isComplete),
  buildSection(summaries: unknown[], ctx: SectionContext) {
    const { scenario, isEmbedded, targetUrl } = ctx;
    const value = mergeFanoutSummaries(
      summaries as FanoutWorkerSummary[],
      scenario,
      isEmbedded ? scenario.server?.publishRatePerSec : undefined,
    );
    return { value, notes: fanoutRunNotes(scenario, isEmbedded, targetUrl, value) };
  },
};
