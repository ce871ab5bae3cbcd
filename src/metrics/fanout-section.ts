/**
 * The fan-out result section's arithmetic shared by the workers, the runner and `merge`: the
 * ordering of subscribers worst first, the bounded list of the worst, and the exact merge of
 * several results' sections.
 */
import type { FanoutResult, FanoutSubscriberStat } from './result.js';

/** Subscribers listed in the result: enough to spot a lagging one, few enough to read. */
const WORST_SUBSCRIBER_COUNT = 5;

/** Orders subscribers worst first: most lost, then most late, then slowest, then by name. */
function compareSubscribers(a: FanoutSubscriberStat, b: FanoutSubscriberStat): number {
  return (
    b.lost - a.lost ||
    b.late - a.late ||
    b.maxLatencyUs - a.maxLatencyUs ||
    (a.subscriber < b.subscriber ? -1 : a.subscriber > b.subscriber ? 1 : 0)
  );
}

/** Inserts `stat` into the sorted `list` if it is among the worst few. */
export function keepWorst(list: FanoutSubscriberStat[], stat: FanoutSubscriberStat): void {
  if (list.length === WORST_SUBSCRIBER_COUNT && compareSubscribers(stat, list[list.length - 1]!) >= 0) return;
  let i = list.length;
  while (i > 0 && compareSubscribers(stat, list[i - 1]!) < 0) i--;
  list.splice(i, 0, stat);
  if (list.length > WORST_SUBSCRIBER_COUNT) list.pop();
}

/**
 * Several results' fan-out sections as one: publishers, subscribers and messages published
 * add up (each part's connections are its own); a server's own stream is the same stream
 * seen by every part that ran at the same time, so its count is the largest among parts that
 * overlapped and adds up across parts that ran one after another (`overlapGroups`); the worst
 * subscribers are the worst of all, each named with its part when parts share names.
 */
export function mergeFanoutSections(sections: Array<FanoutResult | undefined>, overlapGroups: number[][]): FanoutResult | undefined {
  const present = sections.filter((s): s is FanoutResult => s !== undefined);
  const first = present[0];
  if (!first) return undefined;
  const worst: FanoutSubscriberStat[] = [];
  const names = new Set<string>();
  let isNameShared = false;
  for (const s of present) {
    for (const w of s.worstSubscribers) {
      if (names.has(w.subscriber)) isNameShared = true;
      names.add(w.subscriber);
    }
  }
  sections.forEach((s, part) => {
    for (const w of s?.worstSubscribers ?? [])
      keepWorst(worst, isNameShared ? { ...w, subscriber: `${w.subscriber} (part ${part + 1})` } : w);
  });
  const serverPublished = overlapGroups.reduce(
    (sum, group) => sum + Math.max(0, ...group.map((i) => sections[i]?.serverPublished ?? 0)),
    0,
  );
  const sum = (k: 'publishers' | 'subscribers' | 'published') => present.reduce((a, s) => a + s[k], 0);
  return {
    ...first,
    publishers: sum('publishers'),
    subscribers: sum('subscribers'),
    published: sum('published'),
    serverPublished,
    worstSubscribers: worst,
  };
}
