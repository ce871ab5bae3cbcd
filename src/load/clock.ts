/**
 * The generator's clock, in microseconds on the CLOCK_MONOTONIC time base of
 * `process.hrtime.bigint()`, so stamps compare across threads and processes of one host
 * (the reference server stamps with the same clock).
 *
 * Why not call hrtime.bigint() per sample: it allocates a BigInt each time. `performance.now()`
 * reads the same monotonic clock (libuv's uv_hrtime) as a double, so one offset taken at start
 * maps it onto the hrtime base for the price of an addition.
 */
const HRTIME_OFFSET_US = measureOffsetUs();

/**
 * The first `performance.now()` of a process initialises lazily and returns about a
 * millisecond late, which paired with an hrtime read would put every one-way latency (a
 * server's stamp against our clock) a millisecond low. So warm it up, bracket the hrtime read
 * between two reads, and keep the tightest pair.
 */
function measureOffsetUs(): number {
  performance.now();
  let bestWidth = Infinity;
  let offset = 0;
  for (let i = 0; i < 5; i++) {
    const before = performance.now();
    const hrUs = Number(process.hrtime.bigint() / 1000n);
    const after = performance.now();
    if (after - before < bestWidth) {
      bestWidth = after - before;
      offset = hrUs - ((before + after) / 2) * 1000;
    }
  }
  return offset;
}

/** Monotonic time in microseconds (hrtime base), with sub-microsecond fraction. */
export function nowUs(): number {
  return performance.now() * 1000 + HRTIME_OFFSET_US;
}

/**
 * What turns {@link nowUs} into wall-clock µs since the epoch: `performance.timeOrigin` is the
 * wall time at which `performance.now()` was 0. For stamps read on another host, where only
 * (synchronised) wall clocks compare.
 */
export function wallClockShiftUs(): number {
  return performance.timeOrigin * 1000 - HRTIME_OFFSET_US;
}

/** A clock source; tests inject their own to drive schedules deterministically. */
export type Clock = () => number;
