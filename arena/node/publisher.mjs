/**
 * The server publisher: `{"seq":n,"t":"<ns>"}` hz times a second for the process's lifetime.
 * `t` is process.hrtime (CLOCK_MONOTONIC), the clock rtbench reads on the same host.
 */

/** @param {number} seq */
export function stamped(seq) {
  return Buffer.from(`{"seq":${seq},"t":"${process.hrtime.bigint()}"}`);
}

/** @param {number} hz @param {(data: Buffer) => void} send */
export function startPublisher(hz, send) {
  let seq = 0;
  setInterval(() => send(stamped(seq++)), 1000 / hz);
}
