/**
 * The generator's clock, in microseconds on the CLOCK_MONOTONIC time base of
 * `process.hrtime.bigint()`, so stamps compare across threads and processes of one host
 * (the reference server stamps with the same clock).
 *
 * Why not call hrtime.bigint() per sample: it allocates a BigInt each time. `performance.now()`
 * reads the same monotonic clock (libuv's uv_hrtime) as a double, so one offset taken at start
 * maps it onto the hrtime base for the price of an addition.
 */
const HRTIME_OFFSET_US = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;

/** Monotonic time in microseconds (hrtime base), with sub-microsecond fraction. */
export function nowUs(): number {
  return performance.now() * 1000 + HRTIME_OFFSET_US;
}

/** A clock source; tests inject their own to drive schedules deterministically. */
export type Clock = () => number;
