/**
 * Builds a complete, unmasked server-to-client WebSocket data frame (RFC 6455 §5.2) once, so a
 * broadcast to n clients costs one allocation and n socket writes instead of n frame headers
 * and 2n writes. Kept to single, final frames with no extensions: the reference server never
 * negotiates permessage-deflate.
 */

const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const FIN = 0x80;

/** Encodes `payload` as one FIN=1 text or binary frame, header and payload in one buffer. */
export function encodeServerFrame(payload: Uint8Array, isBinary: boolean): Buffer {
  const length = payload.length;
  // §5.2: 7-bit length up to 125, else 126 + 16-bit length, else 127 + 64-bit length.
  const headerBytes = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerBytes + length);
  frame[0] = FIN | (isBinary ? OPCODE_BINARY : OPCODE_TEXT);
  if (headerBytes === 2) {
    frame[1] = length;
  } else if (headerBytes === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    // Buffers are far below 2^48 bytes, so the top two bytes of the 64-bit length are zero.
    frame.writeUInt16BE(0, 2);
    frame.writeUIntBE(length, 4, 6);
  }
  frame.set(payload, headerBytes);
  return frame;
}
