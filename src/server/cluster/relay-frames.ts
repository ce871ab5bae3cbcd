/**
 * The framing of the broadcast relay between cluster processes (primary.ts): each message is
 * `[u32 BE payload length][u8 flags][payload]`, flags bit 0 = binary. Raw bytes on a socket pair
 * cost the primary about a seventh of the CPU of Node's JSON IPC per relayed message
 * (docs/architecture.md §9), and need no base64 for binary.
 *
 * The primary forwards bytes without decoding messages: `RelayFrameSplitter` only finds where
 * the last complete frame of a chunk ends, so a whole run of frames is written to every other
 * worker at once, and frames from two workers can never interleave mid-frame. Pure: no I/O.
 */

/** Bytes before the payload: length and flags. */
export const RELAY_HEADER_BYTES = 5;
const FLAG_BINARY = 0x1;

/** One message as a relay frame (a new buffer: header and a copy of `payload`). */
export function encodeRelayFrame(payload: Uint8Array, isBinary: boolean): Buffer {
  const frame = Buffer.allocUnsafe(RELAY_HEADER_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame[4] = isBinary ? FLAG_BINARY : 0;
  frame.set(payload, RELAY_HEADER_BYTES);
  return frame;
}

/**
 * Calls `onMessage` for each frame in `frames`, which must hold whole frames only (what
 * `RelayFrameSplitter.push` returns). `payload` is a view into `frames`: copy it to keep it.
 */
export function forEachRelayFrame(frames: Buffer, onMessage: (payload: Buffer, isBinary: boolean) => void): void {
  let offset = 0;
  while (offset < frames.length) {
    const length = frames.readUInt32BE(offset);
    const start = offset + RELAY_HEADER_BYTES;
    onMessage(frames.subarray(start, start + length), (frames[offset + 4]! & FLAG_BINARY) !== 0);
    offset = start + length;
  }
}

/**
 * Turns a byte stream into runs of whole frames. A frame split across chunks is held back, its
 * pieces kept in a list and joined once when the last one arrives, so a large message costs
 * one copy however many chunks it spans.
 */
export class RelayFrameSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** Size of the held-back frame, once its header is complete; 0 before. */
  private frameBytes = 0;

  /** The whole frames that `chunk` completes, in order, or `undefined` when it completes none. */
  push(chunk: Buffer): Buffer | undefined {
    if (this.parts.length === 0) return this.splitFresh(chunk);
    this.parts.push(chunk);
    this.partBytes += chunk.length;
    if (this.frameBytes === 0) {
      if (this.partBytes < RELAY_HEADER_BYTES) return undefined;
      const head = Buffer.concat(this.parts, RELAY_HEADER_BYTES);
      this.frameBytes = RELAY_HEADER_BYTES + head.readUInt32BE(0);
    }
    if (this.partBytes < this.frameBytes) return undefined;
    const joined = Buffer.concat(this.parts, this.partBytes);
    this.parts = [];
    this.partBytes = 0;
    this.frameBytes = 0;
    return this.splitFresh(joined);
  }

  /** Bytes held back as an incomplete frame. */
  get pendingBytes(): number {
    return this.partBytes;
  }

  /** Splits a chunk that starts at a frame boundary: returns the whole frames, keeps the rest. */
  private splitFresh(chunk: Buffer): Buffer | undefined {
    let end = 0;
    while (chunk.length - end >= RELAY_HEADER_BYTES) {
      const next = end + RELAY_HEADER_BYTES + chunk.readUInt32BE(end);
      if (next > chunk.length) {
        this.frameBytes = next - end;
        break;
      }
      end = next;
    }
    if (end < chunk.length) {
      this.parts = [chunk.subarray(end)];
      this.partBytes = chunk.length - end;
    }
    if (end === 0) return undefined;
    return end === chunk.length ? chunk : chunk.subarray(0, end);
  }
}
