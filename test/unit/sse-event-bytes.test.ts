import { describe, expect, it } from 'vitest';
import { EventBytes, EventBytesPool, LINE_COST_BYTES } from '../../dist/protocol/sse-event-bytes.js';

const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('EventBytes (raw bytes of the pending SSE event)', () => {
  it('counts bytes after the last blank line, plus a charge per complete line', () => {
    const pool = new EventBytesPool(1 << 20);
    const e = new EventBytes(1 << 20, pool);
    expect(e.add(bytes('data: a\n\ndata: b'))).toBe('ok');
    expect(e.pending).toBe(7);
    expect(e.add(bytes('c\n'))).toBe('ok');
    expect(e.pending).toBe(9 + LINE_COST_BYTES);
    expect(e.add(bytes('\n'))).toBe('ok');
    expect(e.pending).toBe(0);
    expect(pool.used).toBe(0);
  });

  it('ends events on CR, LF and CRLF, a CRLF split across chunks included', () => {
    const e = new EventBytes(1 << 20, new EventBytesPool(1 << 20));
    e.add(bytes('data: a\r\n\r'));
    expect(e.pending).toBe(0);
    e.add(bytes('\ndata: b\r'));
    expect(e.pending).toBe(9 + LINE_COST_BYTES);
    e.add(bytes('\r'));
    expect(e.pending).toBe(0);
    e.add(bytes('x\r\ny'));
    expect(e.pending).toBe(4 + LINE_COST_BYTES);
  });

  it('refuses an event over its limit, and any chunk that takes the pool over its total', () => {
    const pool = new EventBytesPool(100);
    const a = new EventBytes(60, pool);
    const b = new EventBytes(60, pool);
    expect(a.add(Buffer.alloc(50, 0x61))).toBe('ok');
    expect(b.add(Buffer.alloc(40, 0x61))).toBe('ok');
    expect(b.add(Buffer.alloc(11, 0x61))).toBe('total_too_large');
    b.reset();
    expect(pool.used).toBe(50);
    expect(a.add(Buffer.alloc(11, 0x61))).toBe('event_too_large');
  });
});
