/**
 * Writes whole frames to one socket, batching the bursts: the first frame written in a tick
 * goes straight to the socket, the next ones in the same tick are corked and leave together in
 * one writev when the tick ends.
 *
 * Frames arrive in bursts (one TCP read holds many frames and each may be answered at once), so
 * a write syscall per frame takes about a third of a busy process's CPU. Corking every write
 * until the tick ends would cost the one-in-flight case, where there is nothing to batch: the
 * frame would wait for the rest of the tick (as measured latency) and pay a cork, a buffered
 * write and an uncork (docs/architecture.md §4).
 *
 * Used on both ends: the client driver's sockets (src/protocol/ws.ts), the reference server's
 * clients and a cluster worker's relay socket (src/server/).
 */

/** The part of a `net.Socket` (or any Writable) the writer uses. */
export interface CorkableWritable {
  cork(): void;
  uncork(): void;
  write(chunk: Buffer): boolean;
}

export class TickBatchedWriter {
  /** The tick (see `currentTick`) of this socket's latest write. */
  private lastWriteTick = -1;
  private isCorked = false;

  constructor(private readonly socket: CorkableWritable) {}

  write(frame: Buffer): boolean {
    this.enterTick();
    return this.socket.write(frame);
  }

  /** Writes one frame given as two buffers (a header and a large payload not worth copying). */
  writePair(head: Buffer, body: Buffer): boolean {
    const isFirst = this.enterTick();
    // The tick's first frame: both parts leave now, together, in one writev. Later ones join
    // the tick's cork.
    if (isFirst) this.socket.cork();
    this.socket.write(head);
    const ok = this.socket.write(body);
    if (isFirst) this.socket.uncork();
    return ok;
  }

  /** Notes a write in this tick; true for the socket's first, which is not corked. */
  private enterTick(): boolean {
    if (this.lastWriteTick === currentTick) {
      if (!this.isCorked) {
        this.socket.cork();
        this.isCorked = true;
        corkedWriters.push(this);
      }
      return false;
    }
    this.lastWriteTick = currentTick;
    if (!isTickEndScheduled) {
      isTickEndScheduled = true;
      process.nextTick(endTick);
    }
    return true;
  }

  /** Sends what this tick corked; called once, by the tick's end. */
  release(): void {
    this.isCorked = false;
    this.socket.uncork();
  }
}

/**
 * Counts ticks in which something was written; it moves on in a nextTick callback, i.e. once
 * the callback that wrote (a socket read, a timer) has returned. One callback serves every
 * writer of the process.
 */
let currentTick = 0;
let isTickEndScheduled = false;
/** Writers corked in the current tick. */
const corkedWriters: TickBatchedWriter[] = [];

function endTick(): void {
  currentTick++;
  isTickEndScheduled = false;
  for (let i = 0; i < corkedWriters.length; i++) corkedWriters[i]!.release();
  corkedWriters.length = 0;
}
