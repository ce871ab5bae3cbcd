/**
 * The server-side publisher's message (docs/architecture.md §5.7, fan-out): `{"seq":n,"t":"<hrtime ns>"}`,
 * text. `t` is `process.hrtime.bigint()`, CLOCK_MONOTONIC on Linux: one clock for every process
 * on the machine, which is what lets a client on the same host compute one-way latency even when
 * the stamp was taken in another process (the cluster primary).
 */

/** The stamped message with sequence number `seq`, stamped now. */
export function stampedMessage(seq: number): Buffer {
  return Buffer.from(`{"seq":${seq},"t":"${process.hrtime.bigint()}"}`);
}
