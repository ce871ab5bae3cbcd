/** Waiting for a condition that becomes true asynchronously (a count reached, a connection closed). */

/** Polls `read` every 10 ms until `check` holds for its value (or fails after `timeoutMs` with the last value seen). */
export async function eventually<T>(read: () => T | Promise<T>, check: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const until = performance.now() + timeoutMs;
  let v = await read();
  while (!check(v)) {
    if (performance.now() > until) throw new Error(`condition not met in ${timeoutMs} ms; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 10));
    v = await read();
  }
  return v;
}
