package arena.spring;

/** The publisher's message {"seq":n,"t":"<ns>"} that rtbench's fan-out and SSE listeners read. */
final class Stamp {
  private Stamp() {}

  /** System.nanoTime is CLOCK_MONOTONIC on Linux: the clock behind Node's process.hrtime on the same host. */
  static String stamped(long seq) {
    return "{\"seq\":" + seq + ",\"t\":\"" + System.nanoTime() + "\"}";
  }
}
