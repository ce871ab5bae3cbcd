/**
 * Fan-out stamps: what publishers write (templates, padding, sizes) and what subscribers read,
 * including the reference server's own `{"seq":n,"t":ns}` with `t` as a number or a string.
 */
import { describe, expect, it } from 'vitest';
import { FanoutWriter, readFanoutStamp, type FanoutStamp } from '../../dist/worker/roles/fanout-stamp.js';

function read(data: string | Buffer): FanoutStamp | undefined {
  const out: FanoutStamp = { publisherId: 0, part: 0, seq: 0, sentUs: 0 };
  return readFanoutStamp(Buffer.isBuffer(data) ? data : Buffer.from(data), out) ? out : undefined;
}

describe('FanoutWriter', () => {
  it('writes the stamp, padded to the size, and reads back what it wrote', () => {
    const w = new FanoutWriter(64, undefined);
    const frame = w.write(7, 2, 41, 123456789.6, 0, 0);
    expect(frame.length).toBe(64);
    expect(frame.toString()).toMatch(/^rtf:7:2:41:123456790;\.+$/);
    expect(read(frame)).toEqual({ publisherId: 7, part: 2, seq: 41, sentUs: 123456790 });
  });

  it('grows past a size too small for the stamp', () => {
    const frame = new FanoutWriter(4, undefined).write(123, 0, 99999, 1e12, 0, 0);
    expect(frame.toString()).toBe('rtf:123:0:99999:1000000000000;');
  });

  it('fills a chat template and keeps the text around the stamp', () => {
    const frame = new FanoutWriter(0, 'hello {stamp} bye').write(1, 0, 5, 10, 0, 0);
    expect(frame.toString()).toBe('hello rtf:1:0:5:10; bye');
  });

  it('appends the stamp when the template has no {stamp}', () => {
    expect(new FanoutWriter(0, 'Now time: ').write(1, 0, 0, 1, 0, 0).toString()).toBe('Now time: rtf:1:0:0:1;');
  });

  it('keeps a whiteboard stroke valid JSON at any size: the padding stays inside the stamp string', () => {
    const w = new FanoutWriter(200, '{"x":{x},"y":{y},"color":"#e33","stamp":"{stamp}"}');
    const frame = w.write(3, 1, 8, 5000, 640, 480);
    expect(frame.length).toBe(200);
    const stroke = JSON.parse(frame.toString()) as { x: number; y: number; color: string; stamp: string };
    expect(stroke.x).toBe(640);
    expect(stroke.y).toBe(480);
    expect(stroke.color).toBe('#e33');
    expect(stroke.stamp).toMatch(/^rtf:3:1:8:5000;\.+$/);
    expect(read(frame)).toEqual({ publisherId: 3, part: 1, seq: 8, sentUs: 5000 });
  });

  it('reuses one buffer: a frame is valid until the next write (the driver copies it; deflate: test/e2e/ws-driver.test.ts)', () => {
    const shared = new FanoutWriter(0, undefined);
    const a = shared.write(1, 0, 1, 1, 0, 0);
    shared.write(1, 0, 2, 1, 0, 0);
    expect(a.toString()).toBe('rtf:1:0:2:1;');
  });

  it('writes {iso} as an ISO 8601 date', () => {
    const text = new FanoutWriter(0, '{iso} {stamp}').write(0, 0, 0, 0, 0, 0).toString();
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z rtf:0:0:0:0;$/);
  });
});

describe('readFanoutStamp', () => {
  it('reads the server publisher stamp with t as a string or a number, in ns, as one publisher', () => {
    expect(read('{"seq":12,"t":"5000000"}')).toEqual({ publisherId: -1, part: -1, seq: 12, sentUs: 5000 });
    expect(read('{"seq": 3, "t": 1500}')).toEqual({ publisherId: -1, part: -1, seq: 3, sentUs: 1.5 });
    expect(read('{"t":"2000","other":"x","seq":4}')).toEqual({ publisherId: -1, part: -1, seq: 4, sentUs: 2 });
  });

  it("finds an rtbench stamp relayed inside someone else's JSON", () => {
    expect(read('{"user":"u1","text":"hi rtf:9:0:3:77;....."}')).toEqual({ publisherId: 9, part: 0, seq: 3, sentUs: 77 });
  });

  it('rejects messages without a complete stamp', () => {
    for (const text of ['hello', 'rtf:1:2:3', 'rtf:1:2:x:4;', 'rtf::2:3:4;', '{"seq":1}', '{"seq":"a","t":1}', '{"text":"t"}', '']) {
      expect(read(text), text).toBeUndefined();
    }
  });
});
