/**
 * The Hyperlane-profile frame codec: the incremental decoder against frames cut at every byte,
 * masked or not, with each length form; and the encoder's opcode choice and 65,535-byte split
 * (docs/hyperlane-wire.md §1), including text cut on UTF-8 character boundaries.
 */
import { describe, expect, it } from 'vitest';
import {
  closeCodeOf,
  encodeHyperlaneMessage,
  FrameDecoder,
  MAX_FRAME_PAYLOAD_BYTES,
  PING_FRAME,
  type FrameSink,
} from '../../dist/server/hyperlane/ws-codec.js';
import { Opcode } from '../../dist/wire/ws-frame.js';
import { clientFrame, parseServerFrames } from '../helpers/raw-ws.js';

/** The reference server's default `maxMessageBytes` (16 MiB). */
const LIMIT = 16 * 1024 * 1024;

interface Decoded {
  fin: boolean;
  opcode: number;
  payload: string;
}

function collector(stopAfter = Infinity): { sink: FrameSink; frames: Decoded[]; oversized: number[] } {
  const frames: Decoded[] = [];
  const oversized: number[] = [];
  const sink: FrameSink = {
    onFrame: (fin, opcode, payload) => {
      frames.push({ fin, opcode, payload: payload.toString('latin1') });
      return frames.length < stopAfter;
    },
    onOversized: (n) => void oversized.push(n),
  };
  return { sink, frames, oversized };
}

/** An unmasked frame, as a non-conforming client may send (Hyperlane accepts it). */
function unmaskedFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const len = payload.length;
  const head =
    len < 126 ? Buffer.from([(fin ? 0x80 : 0) | opcode, len]) : Buffer.from([(fin ? 0x80 : 0) | opcode, 126, len >> 8, len & 0xff]);
  return Buffer.concat([head, payload]);
}

describe('FrameDecoder', () => {
  const payloads = [
    Buffer.alloc(0),
    Buffer.from('hi'),
    Buffer.alloc(125, 1),
    Buffer.alloc(126, 2),
    Buffer.alloc(65535, 3),
    Buffer.alloc(65536, 4),
    Buffer.alloc(70_001, 5),
  ];

  it('decodes masked frames of every length form in one chunk', () => {
    const { sink, frames } = collector();
    new FrameDecoder(sink, LIMIT).push(Buffer.concat(payloads.map((p) => clientFrame(Opcode.Binary, p))));
    expect(frames.map((f) => f.payload.length)).toEqual(payloads.map((p) => p.length));
    for (const [i, f] of frames.entries()) expect(f.payload).toBe(payloads[i]!.toString('latin1'));
    expect(frames.every((f) => f.fin && f.opcode === Opcode.Binary)).toBe(true);
  });

  it('decodes the same bytes fed one byte at a time, and in odd-sized chunks', () => {
    const wire = Buffer.concat([
      clientFrame(Opcode.Text, 'héllo'),
      clientFrame(Opcode.Binary, Buffer.alloc(300, 9)),
      clientFrame(Opcode.Ping, 'p'),
    ]);
    for (const size of [1, 3, 7, 64, 4096]) {
      const { sink, frames } = collector();
      const decoder = new FrameDecoder(sink, LIMIT);
      // push() unmasks in place, so each pass gets its own copy of the bytes.
      const bytes = Buffer.from(wire);
      for (let at = 0; at < bytes.length; at += size) decoder.push(bytes.subarray(at, at + size));
      expect(frames.map((f) => [f.opcode, f.payload.length])).toEqual([
        [Opcode.Text, Buffer.byteLength('héllo')],
        [Opcode.Binary, 300],
        [Opcode.Ping, 1],
      ]);
      expect(Buffer.from(frames[0]!.payload, 'latin1').toString('utf8')).toBe('héllo');
    }
  });

  it('unmasks payloads at any alignment inside the read buffer', () => {
    const body = Buffer.from(Array.from({ length: 1000 }, (_, i) => i & 0xff));
    for (let lead = 0; lead < 4; lead++) {
      const { sink, frames } = collector();
      const decoder = new FrameDecoder(sink, LIMIT);
      decoder.push(Buffer.concat([clientFrame(Opcode.Binary, Buffer.alloc(lead, 7)), clientFrame(Opcode.Binary, body)]));
      expect(Buffer.from(frames[1]!.payload, 'latin1').equals(body)).toBe(true);
    }
  });

  it('accepts unmasked frames and reports FIN=0 and continuation frames as they are', () => {
    const { sink, frames } = collector();
    new FrameDecoder(sink, LIMIT).push(
      Buffer.concat([unmaskedFrame(Opcode.Text, Buffer.from('ab'), false), unmaskedFrame(Opcode.Continuation, Buffer.from('cd'))]),
    );
    expect(frames).toEqual([
      { fin: false, opcode: Opcode.Text, payload: 'ab' },
      { fin: true, opcode: Opcode.Continuation, payload: 'cd' },
    ]);
  });

  it('stops decoding once the sink returns false', () => {
    const { sink, frames } = collector(1);
    const decoder = new FrameDecoder(sink, LIMIT);
    decoder.push(Buffer.concat([clientFrame(Opcode.Close, Buffer.from([0x03, 0xe8])), clientFrame(Opcode.Text, 'after')]));
    decoder.push(clientFrame(Opcode.Text, 'later'));
    expect(frames.map((f) => f.opcode)).toEqual([Opcode.Close]);
  });

  it('refuses a length over the cap instead of buffering it', () => {
    const { sink, frames, oversized } = collector();
    const head = Buffer.from([0x82, 0x80 | 127, 0, 0, 0, 0, 0x10, 0, 0, 0, 1, 2, 3, 4]);
    new FrameDecoder(sink, LIMIT).push(head);
    expect(frames).toEqual([]);
    expect(oversized).toEqual([0x10000000]);
    expect(oversized[0]!).toBeGreaterThan(LIMIT);
  });
});

describe('encodeHyperlaneMessage', () => {
  it('picks Text for valid UTF-8 and Binary otherwise, whatever the client sent', () => {
    expect(parseServerFrames(encodeHyperlaneMessage(Buffer.from('ascii'))).frames).toEqual([
      { fin: true, opcode: Opcode.Text, payload: Buffer.from('ascii') },
    ]);
    expect(parseServerFrames(encodeHyperlaneMessage(Buffer.from([0xff, 0x00]))).frames[0]!.opcode).toBe(Opcode.Binary);
    // A truncated two-byte character is not valid UTF-8.
    expect(parseServerFrames(encodeHyperlaneMessage(Buffer.from([0x61, 0xc3]))).frames[0]!.opcode).toBe(Opcode.Binary);
  });

  it('sends nothing for an empty payload, as hyperlane 22 does', () => {
    expect(encodeHyperlaneMessage(Buffer.alloc(0)).length).toBe(0);
  });

  it('keeps 65,535 bytes in one frame and splits 65,536 into FIN=0 + continuation', () => {
    const one = parseServerFrames(encodeHyperlaneMessage(Buffer.alloc(MAX_FRAME_PAYLOAD_BYTES, 0x61))).frames;
    expect(one.map((f) => [f.fin, f.opcode, f.payload.length])).toEqual([[true, Opcode.Text, 65535]]);
    const two = parseServerFrames(encodeHyperlaneMessage(Buffer.alloc(65536, 0xff))).frames;
    expect(two.map((f) => [f.fin, f.opcode, f.payload.length])).toEqual([
      [false, Opcode.Binary, 65535],
      [true, Opcode.Continuation, 1],
    ]);
  });

  it('splits 200,000 binary bytes into 65,535-byte frames that rejoin exactly', () => {
    const body = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) & 0xff));
    body[0] = 0xff; // not UTF-8
    const { frames, rest } = parseServerFrames(encodeHyperlaneMessage(body));
    expect(rest.length).toBe(0);
    expect(frames.map((f) => [f.fin, f.opcode, f.payload.length])).toEqual([
      [false, Opcode.Binary, 65535],
      [false, Opcode.Continuation, 65535],
      [false, Opcode.Continuation, 65535],
      [true, Opcode.Continuation, 3395],
    ]);
    expect(Buffer.concat(frames.map((f) => f.payload)).equals(body)).toBe(true);
  });

  it('cuts text before a character that would straddle the 65,535-byte limit', () => {
    // 65,534 ASCII bytes, then '€' (3 bytes) crosses the limit: the first frame stops before it.
    const text = `${'a'.repeat(65_534)}€${'b'.repeat(10)}`;
    const { frames } = parseServerFrames(encodeHyperlaneMessage(Buffer.from(text)));
    expect(frames.map((f) => [f.fin, f.opcode, f.payload.length])).toEqual([
      [false, Opcode.Text, 65_534],
      [true, Opcode.Continuation, 13],
    ]);
    for (const f of frames) expect(Buffer.from(f.payload.toString('utf8')).equals(f.payload)).toBe(true);
    expect(Buffer.concat(frames.map((f) => f.payload)).toString('utf8')).toBe(text);
  });

  it('never splits a character in a long all-multibyte text', () => {
    const text = '日本語🙂'.repeat(20_000);
    const { frames } = parseServerFrames(encodeHyperlaneMessage(Buffer.from(text)));
    expect(frames.length).toBeGreaterThan(2);
    for (const f of frames) {
      expect(f.payload.length).toBeLessThanOrEqual(MAX_FRAME_PAYLOAD_BYTES);
      expect(Buffer.from(f.payload.toString('utf8')).equals(f.payload)).toBe(true);
    }
    expect(Buffer.concat(frames.map((f) => f.payload)).toString('utf8')).toBe(text);
  });
});

describe('small helpers', () => {
  it('reads the close code, 1005 when absent', () => {
    expect(closeCodeOf(Buffer.from([0x0f, 0xa0, 0x61]))).toBe(4000);
    expect(closeCodeOf(Buffer.alloc(0))).toBe(1005);
  });

  it("has Hyperlane's bare ping", () => {
    expect([...PING_FRAME]).toEqual([0x89, 0x00]);
  });
});
