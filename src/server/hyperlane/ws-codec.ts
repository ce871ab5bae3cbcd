/**
 * A small WebSocket frame codec for the Hyperlane profiles, where `ws` cannot be used because it
 * pongs, answers close frames and joins fragments by itself (docs/hyperlane-wire.md §1).
 *
 * Decoding (RFC 6455 §5.2) is incremental and tolerant the way Hyperlane's `decode_ws_frame` is:
 * masked and unmasked frames are both accepted, RSV bits are ignored, and text is not checked
 * for UTF-8. Encoding follows Hyperlane's `create_frame_list`: the opcode is chosen by the UTF-8
 * validity of the payload, and payloads over 65,535 bytes go out as a FIN=0 first frame plus
 * continuation frames, text being split on UTF-8 character boundaries. Frame headers are
 * written by ../../wire/ws-frame.ts, like every other frame rtbench sends.
 */
import { isUtf8 } from 'node:buffer';
import { encodeFrame, Opcode, writeFrameHeader } from '../../wire/ws-frame.js';

/** Hyperlane's `MAX_FRAME_SIZE`: the largest payload it puts in one outgoing frame. */
export const MAX_FRAME_PAYLOAD_BYTES = 65_535;

/** Hyperlane's keep-alive probe: an unmasked Ping with an empty payload. */
export const PING_FRAME: Buffer = Buffer.from([0x80 | Opcode.Ping, 0x00]);

/** Receives decoded frames; return false to stop decoding (the connection is being dropped). */
export interface FrameSink {
  /**
   * One complete frame. `payload` is already unmasked and is a view into the socket's buffer:
   * it is valid only during the call, so copy it to keep it.
   */
  onFrame(fin: boolean, opcode: number, payload: Buffer): boolean;
  /** A frame announced a payload over the decoder's limit; decoding stops. */
  onOversized(lengthBytes: number): void;
}

/**
 * Incremental decoder of client-to-server frames. Bytes of an unfinished frame are kept as a
 * list of chunks and joined once the whole frame is there, so a large frame arriving in many
 * reads is copied once, not once per read.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  /** Total size (header + payload) of the frame being buffered, once its header is known. */
  private neededBytes = 0;
  private isStopped = false;

  /**
   * `maxPayloadBytes`: the largest frame payload accepted. Hyperlane trusts any 64-bit length;
   * a cap is kept so a bogus length cannot make the server buffer without bound.
   */
  constructor(
    private readonly sink: FrameSink,
    private readonly maxPayloadBytes: number,
  ) {}

  /**
   * Feeds bytes read from the socket; complete frames are passed to the sink in order. Masked
   * payloads are unmasked in place, so `chunk` is modified (socket reads are ours to change).
   */
  push(chunk: Buffer): void {
    if (this.isStopped || chunk.length === 0) return;
    if (this.bufferedBytes === 0) return this.decode(chunk);
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    if (this.neededBytes > 0 && this.bufferedBytes < this.neededBytes) return;
    const joined = Buffer.concat(this.chunks, this.bufferedBytes);
    this.chunks = [];
    this.bufferedBytes = 0;
    this.decode(joined);
  }

  /** Decodes every complete frame in `buf` and keeps the incomplete rest. */
  private decode(buf: Buffer): void {
    let offset = 0;
    const end = buf.length;
    while (!this.isStopped) {
      const available = end - offset;
      if (available < 2) break;
      const b0 = buf[offset]!;
      const b1 = buf[offset + 1]!;
      const isMasked = (b1 & 0x80) !== 0;
      const length7 = b1 & 0x7f;
      const lengthBytes = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
      const headerBytes = 2 + lengthBytes + (isMasked ? 4 : 0);
      if (available < headerBytes) break;
      let payloadBytes = length7;
      if (length7 === 126) payloadBytes = buf.readUInt16BE(offset + 2);
      else if (length7 === 127) payloadBytes = Number(buf.readBigUInt64BE(offset + 2));
      if (payloadBytes > this.maxPayloadBytes) {
        this.isStopped = true;
        this.sink.onOversized(payloadBytes);
        return;
      }
      const frameBytes = headerBytes + payloadBytes;
      if (available < frameBytes) {
        this.neededBytes = frameBytes;
        break;
      }
      const payload = buf.subarray(offset + headerBytes, offset + frameBytes);
      if (isMasked) unmask(payload, buf, offset + headerBytes - 4);
      offset += frameBytes;
      this.neededBytes = 0;
      if (!this.sink.onFrame((b0 & 0x80) !== 0, b0 & 0x0f, payload)) this.isStopped = true;
    }
    if (this.isStopped || offset === end) {
      this.neededBytes = 0;
      return;
    }
    // Keep only the unfinished frame; a view would pin the whole read buffer.
    const rest = Buffer.from(buf.subarray(offset));
    this.chunks = [rest];
    this.bufferedBytes = rest.length;
  }
}

/**
 * XORs `payload` in place with the 4-byte key stored at `keyOffset` in `source` (RFC 6455
 * §5.3). The aligned middle is done 32 bits at a time, several times faster than byte by byte
 * on large messages; the key word is built in native byte order to match the Uint32Array view.
 */
function unmask(payload: Buffer, source: Buffer, keyOffset: number): void {
  const key = [source[keyOffset]!, source[keyOffset + 1]!, source[keyOffset + 2]!, source[keyOffset + 3]!];
  const n = payload.length;
  let i = 0;
  if (n >= 32) {
    const lead = (4 - (payload.byteOffset & 3)) & 3;
    for (; i < lead; i++) payload[i] = payload[i]! ^ key[i & 3]!;
    const rotated = new Uint8Array([key[lead & 3]!, key[(lead + 1) & 3]!, key[(lead + 2) & 3]!, key[(lead + 3) & 3]!]);
    const key32 = new Uint32Array(rotated.buffer)[0]!;
    const words = new Uint32Array(payload.buffer, payload.byteOffset + lead, (n - lead) >>> 2);
    for (let w = 0; w < words.length; w++) words[w] = words[w]! ^ key32;
    i = lead + words.length * 4;
  }
  for (; i < n; i++) payload[i] = payload[i]! ^ key[i & 3]!;
}

/**
 * Encodes one server-to-client message the way Hyperlane does, as the bytes of all its frames
 * in one buffer (so it costs one socket write, and a broadcast can share it):
 * - Text if `payload` is valid UTF-8 (an empty payload is valid), else Binary, whatever opcode
 *   the client used;
 * - at most 65,535 payload bytes per frame: the first frame has FIN=0 and the rest are
 *   Continuation frames, the last with FIN=1; text is cut before a UTF-8 continuation byte so
 *   no character is split (unless a frame would be empty, as in Hyperlane).
 * An empty payload gives no frame at all (an empty buffer): hyperlane 22's `create_frame_list`
 * loops while bytes remain, so an empty message is never answered (docs/hyperlane-wire.md §1).
 */
export function encodeHyperlaneMessage(payload: Uint8Array): Buffer {
  const total = payload.length;
  if (total === 0) return Buffer.alloc(0);
  const isText = isUtf8(payload);
  if (total <= MAX_FRAME_PAYLOAD_BYTES) return encodeFrame(payload, true, isText ? Opcode.Text : Opcode.Binary);
  // Each frame carries at least 65,532 bytes (at most 3 are held back for a UTF-8 boundary)
  // and a 4-byte header, which bounds the output.
  const maxFrames = Math.ceil(total / (MAX_FRAME_PAYLOAD_BYTES - 3));
  const out = Buffer.allocUnsafe(total + 4 * maxFrames);
  let written = 0;
  let offset = 0;
  let opcode: number = isText ? Opcode.Text : Opcode.Binary;
  while (offset < total) {
    const remaining = total - offset;
    let size = Math.min(remaining, MAX_FRAME_PAYLOAD_BYTES);
    if (isText && size < remaining) {
      while (size > 0 && (payload[offset + size]! & 0xc0) === 0x80) size--;
      if (size === 0) size = Math.min(remaining, MAX_FRAME_PAYLOAD_BYTES);
    }
    const isFinal = size === remaining;
    written += writeFrameHeader(out, written, isFinal, opcode, size, false);
    out.set(payload.subarray(offset, offset + size), written);
    written += size;
    offset += size;
    opcode = Opcode.Continuation;
  }
  return out.subarray(0, written);
}

/** The close code in a Close frame's payload (RFC 6455 §7.1.5), or 1005 when it has none. */
export function closeCodeOf(payload: Buffer): number {
  return payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
}
