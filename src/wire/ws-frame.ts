/**
 * Complete WebSocket data frames (RFC 6455 §5.2) built in one buffer: header, masking key and
 * payload. A frame written this way costs one allocation and one socket write, where `ws`'s
 * sender builds an options object, a header and (server side) a second buffer per message.
 * The encoders used next to `ws` are kept to single, final frames with no extensions: callers
 * use them only where permessage-deflate is not negotiated (and never hand `ws` a Blob), so
 * `ws`'s own sender never queues and writing to the same socket keeps every frame in order.
 *
 * Neither client nor server code, and the only frame-header writer: the client driver
 * (src/protocol/ws.ts) writes masked frames, the `strict` server unmasked ones, and the
 * Hyperlane codec (src/server/hyperlane/ws-codec.ts) its fragments through `writeFrameHeader`.
 */
import { randomFillSync } from 'node:crypto';

/** RFC 6455 §5.2 opcodes. */
export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;

const FIN = 0x80;
const MASKED = 0x80;

/** Encodes `payload` as one unmasked FIN=1 text or binary frame (server to client). */
export function encodeServerFrame(payload: Uint8Array, isBinary: boolean): Buffer {
  return encodeFrame(payload, true, isBinary ? Opcode.Binary : Opcode.Text);
}

/** The header alone of an unmasked FIN=1 frame of `length` bytes; the payload follows as is. */
export function encodeServerFrameHeader(length: number, isBinary: boolean): Buffer {
  const header = Buffer.allocUnsafe(frameHeaderBytes(length));
  writeFrameHeader(header, 0, true, isBinary ? Opcode.Binary : Opcode.Text, length, false);
  return header;
}

/** Encodes `payload` as one unmasked frame with any `fin` and `opcode` (server to client). */
export function encodeFrame(payload: Uint8Array, fin: boolean, opcode: number): Buffer {
  const headerBytes = frameHeaderBytes(payload.length);
  const frame = Buffer.allocUnsafe(headerBytes + payload.length);
  writeFrameHeader(frame, 0, fin, opcode, payload.length, false);
  frame.set(payload, headerBytes);
  return frame;
}

/**
 * Encodes `payload` as one masked FIN=1 text or binary frame (client to server, §5.3), with a
 * fresh masking key from a pool filled by the system's CSPRNG, as §10.3 asks. `payload` is
 * only read, so a caller may reuse its buffer at once.
 */
export function encodeClientFrame(payload: Uint8Array, isBinary: boolean): Buffer {
  const length = payload.length;
  const keyAt = frameHeaderBytes(length);
  const payloadAt = keyAt + 4;
  const frame = Buffer.allocUnsafe(payloadAt + length);
  writeFrameHeader(frame, 0, true, isBinary ? Opcode.Binary : Opcode.Text, length, true);
  if (poolOffset === MASK_POOL_BYTES) {
    randomFillSync(maskPool);
    poolOffset = 0;
  }
  const k0 = (frame[keyAt] = maskPool[poolOffset]!);
  const k1 = (frame[keyAt + 1] = maskPool[poolOffset + 1]!);
  const k2 = (frame[keyAt + 2] = maskPool[poolOffset + 2]!);
  const k3 = (frame[keyAt + 3] = maskPool[poolOffset + 3]!);
  poolOffset += 4;
  let i = 0;
  for (; i + 3 < length; i += 4) {
    frame[payloadAt + i] = payload[i]! ^ k0;
    frame[payloadAt + i + 1] = payload[i + 1]! ^ k1;
    frame[payloadAt + i + 2] = payload[i + 2]! ^ k2;
    frame[payloadAt + i + 3] = payload[i + 3]! ^ k3;
  }
  // At most three bytes remain, and `i` is a multiple of 4, so they take k0, k1, k2.
  if (i < length) frame[payloadAt + i] = payload[i]! ^ k0;
  if (i + 1 < length) frame[payloadAt + i + 1] = payload[i + 1]! ^ k1;
  if (i + 2 < length) frame[payloadAt + i + 2] = payload[i + 2]! ^ k2;
  return frame;
}

/** Masking keys are drawn 4 bytes at a time from this pool, refilled when used up. */
const MASK_POOL_BYTES = 8192;
const maskPool = Buffer.alloc(MASK_POOL_BYTES);
let poolOffset = MASK_POOL_BYTES;

/**
 * Bytes of a frame header without its masking key: the first two bytes plus the extended
 * length (§5.2: 7, 16 or 64 bits).
 */
function frameHeaderBytes(length: number): number {
  return length < 126 ? 2 : length < 65536 ? 4 : 10;
}

/**
 * Writes the header of a frame carrying `length` payload bytes at `at` in `out` (FIN, opcode,
 * mask bit and length, not the masking key) and returns its size, `frameHeaderBytes(length)`.
 */
export function writeFrameHeader(out: Buffer, at: number, fin: boolean, opcode: number, length: number, isMasked: boolean): number {
  out[at] = (fin ? FIN : 0) | opcode;
  const maskBit = isMasked ? MASKED : 0;
  if (length < 126) {
    out[at + 1] = maskBit | length;
    return 2;
  }
  if (length < 65536) {
    out[at + 1] = maskBit | 126;
    out.writeUInt16BE(length, at + 2);
    return 4;
  }
  out[at + 1] = maskBit | 127;
  // Buffers are far below 2^48 bytes, so the top two bytes of the 64-bit length are zero.
  out.writeUInt16BE(0, at + 2);
  out.writeUIntBE(length, at + 4, 6);
  return 10;
}
