/**
 * Bounds what a hostile SSE server can make rtbench hold: the raw body bytes of the event being
 * received, counted before any decoding or parsing, per stream and in total over a generator
 * process's streams.
 *
 * Why raw bytes: the parser keeps a pending event's data as strings built line by line, which
 * costs many times the bytes that arrived (a server sending `data: x\n` forever reached 166 MB
 * at a 2 MiB limit on parsed characters). Counting the wire bytes caps that before the parser
 * sees them. An event ends at a blank line (WHATWG HTML §9.2.5: CRLF, LF or CR line ends); only
 * the bytes after a chunk's last blank line are still pending. Each complete line is also
 * charged `LINE_COST_BYTES`, so many short lines cannot cost more than a few long ones.
 */

const LF = 10;
const CR = 13;
/**
 * What each line of a pending event is charged on top of its bytes: the parser keeps every line
 * as a string joined to the event's data, ~150 bytes of heap for `data: x` (measured: 1 MiB of
 * such lines held ~40 MB). Charging 64 bytes a line keeps the memory a limit allows within a
 * small multiple of it, whatever the line length; a real event's few lines barely notice.
 */
export const LINE_COST_BYTES = 64;

/** Pending bytes of every stream of this process together (`EventBytes` instances share it). */
export class EventBytesPool {
  used = 0;

  constructor(
    /** The most all streams may hold pending at once. */
    readonly limitBytes: number,
  ) {}
}

/**
 * The total a generator process allows, whatever the per-event limit: 16 MiB, or one event at
 * the per-event limit if that is larger (a single allowed event must always fit).
 */
export function poolLimitFor(maxEventBytes: number): number {
  return Math.max(16 * 1024 * 1024, maxEventBytes);
}

let sharedPool: EventBytesPool | undefined;

/**
 * This process's pool with `limitBytes`. Every stream of a run asks with the same limit; a new
 * limit (the next run in the same process) takes effect once no stream holds bytes.
 */
export function processPool(limitBytes: number): EventBytesPool {
  if (!sharedPool || (sharedPool.limitBytes !== limitBytes && sharedPool.used === 0)) sharedPool = new EventBytesPool(limitBytes);
  return sharedPool;
}

/** Why `add` refused a chunk. */
export type EventBytesVerdict = 'ok' | 'event_too_large' | 'total_too_large';

/** One stream's pending-event byte count. */
export class EventBytes {
  /** Raw bytes since the last blank line. */
  pending = 0;
  private lineBytes = 0;
  private lastWasCr = false;

  constructor(
    private readonly limitBytes: number,
    private readonly pool: EventBytesPool,
  ) {}

  /** Counts `chunk` (raw body bytes, in order); anything but `ok` means the stream must fail. */
  add(chunk: Uint8Array): EventBytesVerdict {
    const n = chunk.length;
    const before = this.pending;
    let pending = before;
    let segmentStart = 0;
    let i = 0;
    // Next CR and LF at or after i; -1 once none is left in the chunk (never searched again).
    let cr = chunk.indexOf(CR, 0);
    let lf = chunk.indexOf(LF, 0);
    while (i < n) {
      if (cr !== -1 && cr < i) cr = chunk.indexOf(CR, i);
      if (lf !== -1 && lf < i) lf = chunk.indexOf(LF, i);
      const j = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (j === -1) {
        this.lineBytes += n - i;
        this.lastWasCr = false;
        break;
      }
      if (j > i) {
        this.lineBytes += j - i;
        this.lastWasCr = false;
      }
      const isLf = chunk[j] === LF;
      i = j + 1;
      // The LF of a CRLF belongs to the line end the CR made.
      if (isLf && this.lastWasCr) {
        this.lastWasCr = false;
        continue;
      }
      this.lastWasCr = !isLf;
      if (this.lineBytes === 0) {
        // A blank line: the event is complete; what follows belongs to the next one.
        pending = 0;
        segmentStart = i;
      } else pending += LINE_COST_BYTES;
      this.lineBytes = 0;
    }
    pending += n - segmentStart;
    this.pending = pending;
    this.pool.used += pending - before;
    if (pending > this.limitBytes) return 'event_too_large';
    if (this.pool.used > this.pool.limitBytes) return 'total_too_large';
    return 'ok';
  }

  /** The attempt ended (its pending event is dropped): gives its bytes back to the pool. */
  reset(): void {
    this.pool.used -= this.pending;
    this.pending = 0;
    this.lineBytes = 0;
    this.lastWasCr = false;
  }
}
