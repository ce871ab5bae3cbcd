/**
 * Complete WebSocket data frames (RFC 6455 §5.2) built in one buffer: header, masking key and
 * payload. A frame written this way costs one allocation and one socket write, where `ws`'s
 * sender builds an options object, a header and (server side) a second buffer per message.
 * Kept to single, final frames with no extensions: callers use them only where
 * permessage-deflate is not negotiated (and never hand `ws` a Blob), so `ws`'s own sender
 * never queues and writing to the same socket keeps every frame in order.
 *
 * Neither client nor server code: the client driver (src/protocol/ws.ts) writes masked frames
 * and the reference server (src/server/) unmasked ones, from this one module.
 */
import { randomFillSync } from 'node:crypto';

const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const FIN = 0x80;
const MASKED = 0x80;

/** Encodes `payload` as one unmasked FIN=1 text or binary frame (server to client). */
export function encodeServerFrame(payload: Uint8Array, isBinary: boolean): Buffer {
  const length = payload.length;
  const headerBytes = lengthFieldBytes(length);
  const frame = Buffer.allocUnsafe(headerBytes + length);
  writeHeader(frame, isBinary, length, 0);
  frame.set(payload, headerBytes);
  return frame;
}

/** The header alone of an unmasked FIN=1 frame of `length` bytes; the payload follows as is. */
export function encodeServerFrameHeader(length: number, isBinary: boolean): Buffer {
  const header = Buffer.allocUnsafe(lengthFieldBytes(length));
  writeHeader(header, isBinary, length, 0);
  return header;
}

/**
 * Encodes `payload` as one masked FIN=1 text or binary frame (client to server, §5.3), with a
 * fresh masking key from a pool filled by the system's CSPRNG, as §10.3 asks. `payload` is
 * only read, so a caller may reuse its buffer at once.
 */
export function encodeClientFrame(payload: Uint8Array, isBinary: boolean): Buffer {
  const length = payload.length;
  const keyAt = lengthFieldBytes(length);
  const payloadAt = keyAt + 4;
  const frame = Buffer.allocUnsafe(payloadAt + length);
  writeHeader(frame, isBinary, length, MASKED);
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

/** Bytes of the first two header bytes plus the extended length (§5.2: 7, 16 or 64 bits). */
function lengthFieldBytes(length: number): number {
  return length < 126 ? 2 : length < 65536 ? 4 : 10;
}

function writeHeader(frame: Buffer, isBinary: boolean, length: number, maskBit: number): void {
  frame[0] = FIN | (isBinary ? OPCODE_BINARY : OPCODE_TEXT);
  if (length < 126) {
    frame[1] = maskBit | length;
  } else if (length < 65536) {
    frame[1] = maskBit | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = maskBit | 127;
    // Buffers are far below 2^48 bytes, so the top two bytes of the 64-bit length are zero.
    frame.writeUInt16BE(0, 2);
    frame.writeUIntBE(length, 4, 6);
  }
}
