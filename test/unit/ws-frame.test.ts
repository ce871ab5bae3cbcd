/**
 * Whole-frame encoders (src/wire/ws-frame.ts) read back by `ws`'s own Receiver, an
 * independent parser: every length form, text and binary, masked (client) and unmasked
 * (server), and the masking key fresh per frame.
 */
import * as wsModule from 'ws';
import { describe, expect, it } from 'vitest';
import { encodeClientFrame, encodeServerFrame, encodeServerFrameHeader } from '../../dist/wire/ws-frame.js';

// `ws` exports its Receiver but its type definitions do not.
const Receiver = (wsModule as unknown as { Receiver: unknown }).Receiver as new (opts: {
  isServer: boolean;
  maxPayload: number;
  skipUTF8Validation: boolean;
}) => NodeJS.WritableStream & {
  on(event: 'message', fn: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
};

/** Feeds `frames` to a Receiver that expects them from a client (`masked`) or a server. */
function decode(frames: Buffer[], masked: boolean): Promise<{ data: Buffer; isBinary: boolean }[]> {
  const receiver = new Receiver({ isServer: masked, maxPayload: 0, skipUTF8Validation: true });
  const out: { data: Buffer; isBinary: boolean }[] = [];
  return new Promise((resolve, reject) => {
    receiver.on('message', (data, isBinary) => {
      out.push({ data: Buffer.from(data), isBinary });
      if (out.length === frames.length) resolve(out);
    });
    receiver.on('error', reject);
    for (const f of frames) receiver.write(f);
  });
}

const LENGTHS = [0, 1, 2, 3, 4, 5, 31, 125, 126, 127, 65_535, 65_536, 70_001];

function payloadOf(length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (i * 7 + 3) & 0xff;
  return b;
}

describe('encodeClientFrame', () => {
  it('is read back by ws for every length form, text and binary, and leaves the input alone', async () => {
    const payloads = LENGTHS.map(payloadOf);
    const copies = payloads.map((p) => Buffer.from(p));
    const frames = payloads.map((p, i) => encodeClientFrame(p, i % 2 === 0));
    const got = await decode(frames, true);
    expect(got.map((m) => m.data.length)).toEqual(LENGTHS);
    got.forEach((m, i) => {
      expect(m.data.equals(copies[i]!)).toBe(true);
      expect(m.isBinary).toBe(i % 2 === 0);
    });
    for (const [i, p] of payloads.entries()) expect(p.equals(copies[i]!)).toBe(true);
  });

  it('masks with a fresh key per frame, across refills of the key pool', () => {
    const payload = Buffer.alloc(8);
    const keys = new Set<string>();
    // 3,000 frames draw 12,000 key bytes: more than one 8 KiB pool.
    for (let i = 0; i < 3000; i++) {
      const frame = encodeClientFrame(payload, true);
      expect(frame[1]! & 0x80).toBe(0x80);
      keys.add(frame.subarray(2, 6).toString('hex'));
    }
    // 3,000 random 32-bit keys collide with probability ~0.1 %; allow a few.
    expect(keys.size).toBeGreaterThan(2990);
  });
});

describe('encodeServerFrame', () => {
  it('is read back by ws for every length form, unmasked', async () => {
    const payloads = LENGTHS.map(payloadOf);
    const frames = payloads.map((p) => encodeServerFrame(p, false));
    for (const f of frames) expect(f[1]! & 0x80).toBe(0);
    const got = await decode(frames, false);
    got.forEach((m, i) => {
      expect(m.data.equals(payloads[i]!)).toBe(true);
      expect(m.isBinary).toBe(false);
    });
  });

  it('has the same header as encodeServerFrameHeader, which is read back with the payload after it', async () => {
    const payloads = LENGTHS.map(payloadOf);
    const frames = payloads.map((p) => Buffer.concat([encodeServerFrameHeader(p.length, true), p]));
    for (const [i, f] of frames.entries()) expect(f.equals(encodeServerFrame(payloads[i]!, true))).toBe(true);
    const got = await decode(frames, false);
    for (const [i, m] of got.entries()) expect(m.data.equals(payloads[i]!)).toBe(true);
  });
});
