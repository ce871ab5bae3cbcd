/**
 * Fan-out stamps: what a publisher writes into each message so that every subscriber can
 * time the delivery one way and tell lost, duplicated and reordered deliveries apart
 * (docs/architecture.md §5.7, fan-out).
 *
 * rtbench's own publishers write `rtf:<publisher>:<part>:<seq>:<sentUs>;` in ASCII, so a
 * text frame stays valid UTF-8 and a JSON-minded server can relay it inside a string:
 * - `publisher`: an id unique across the run's worker processes (fanout-book.ts);
 * - `part`: the phase whose steady part the message was published in. Publishers restart
 *   `seq` at 0 in each part, and a subscriber knows which parts it was a member of for their
 *   whole length, which is what makes the delivery count exact across ramps (fanout-book.ts);
 * - `sentUs`: the intended send time in µs on the `process.hrtime` base (load/clock.ts),
 *   the same clock in every process on the host.
 *
 * Servers that publish by themselves (the reference server's `/broadcast` publisher) send
 * `{"seq":n,"t":ns}` with `t` in hrtime nanoseconds as a JSON number or string. Such a stamp
 * carries no publisher id and means one publisher: it is read with `publisherId = -1`.
 *
 * Parsing scans bytes; nothing is allocated per message.
 */

const MARKER = Buffer.from('rtf:');
const SEQ_KEY = Buffer.from('"seq"');
const T_KEY = Buffer.from('"t"');
const COLON = 0x3a;
const SEMI = 0x3b;
const PAD = 0x2e;
const QUOTE = 0x22;
const SPACE = 0x20;
const DIGIT_0 = 0x30;
/** Longest stamp: marker, four 16-digit numbers and their separators. */
const MAX_STAMP_BYTES = 4 + 4 * 16 + 4;
/** `{iso}` becomes an ISO 8601 date of 24 characters. */
const ISO_BYTES = 24;
const MAX_NUMBER_BYTES = 16;

/** A parsed stamp; reused by {@link readFanoutStamp} so receiving allocates nothing. */
export interface FanoutStamp {
  /** Publisher id; -1 for a stamp without one (a server's own publisher). */
  publisherId: number;
  /** Phase index the message was published in; -1 when the stamp does not say. */
  part: number;
  seq: number;
  /** Send time in µs on the hrtime base (server stamps' nanoseconds divided by 1000). */
  sentUs: number;
}

// Numbers parsed by readDigits land here: returning them in an object would allocate.
let parsedValue = 0;

/**
 * Reads decimal digits from `i` up to `terminator`; leaves the value in `parsedValue` and
 * returns the terminator's index, or -1 when there is no digit, a non-digit, or no terminator.
 */
function readDigits(data: Buffer, i: number, terminator: number): number {
  let v = 0;
  const start = i;
  for (; i < data.length; i++) {
    const b = data[i]!;
    if (b === terminator) break;
    const d = b - DIGIT_0;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  if (i === start || i >= data.length) return -1;
  parsedValue = v;
  return i;
}

/** Reads the digits of a JSON number starting at `i` (no terminator needed); -1 when none. */
function readJsonDigits(data: Buffer, i: number): number {
  let v = 0;
  const start = i;
  for (; i < data.length; i++) {
    const d = data[i]! - DIGIT_0;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  if (i === start) return -1;
  parsedValue = v;
  return i;
}

/** After a JSON key at `i`: skips blanks, the colon, blanks and the quote of a string value. */
function skipToJsonValue(data: Buffer, i: number): number {
  while (i < data.length && data[i] === SPACE) i++;
  if (data[i] !== COLON) return -1;
  i++;
  while (i < data.length && data[i] === SPACE) i++;
  if (data[i] === QUOTE) i++;
  return i;
}

/**
 * Reads a fan-out stamp into `out`. Returns false when the message carries none (a greeting,
 * an unrelated message), so the caller counts it as unexpected.
 */
export function readFanoutStamp(data: Buffer, out: FanoutStamp): boolean {
  const at = data.indexOf(MARKER);
  if (at >= 0) {
    let i = readDigits(data, at + MARKER.length, COLON);
    if (i < 0) return false;
    const publisherId = parsedValue;
    i = readDigits(data, i + 1, COLON);
    if (i < 0) return false;
    const part = parsedValue;
    i = readDigits(data, i + 1, COLON);
    if (i < 0) return false;
    const seq = parsedValue;
    i = readDigits(data, i + 1, SEMI);
    if (i < 0) return false;
    out.publisherId = publisherId;
    out.part = part;
    out.seq = seq;
    out.sentUs = parsedValue;
    return true;
  }
  const seqAt = data.indexOf(SEQ_KEY);
  if (seqAt < 0) return false;
  let i = skipToJsonValue(data, seqAt + SEQ_KEY.length);
  if (i < 0 || readJsonDigits(data, i) < 0) return false;
  const seq = parsedValue;
  const tAt = data.indexOf(T_KEY);
  if (tAt < 0) return false;
  i = skipToJsonValue(data, tAt + T_KEY.length);
  if (i < 0 || readJsonDigits(data, i) < 0) return false;
  out.publisherId = -1;
  out.part = -1;
  out.seq = seq;
  // Nanoseconds as a double: exact to the nanosecond for 104 days of uptime, and a rounding
  // of a few ns after that, far below the µs the histograms keep.
  out.sentUs = parsedValue / 1000;
  return true;
}

/** Decimal digits of a non-negative integer. */
function digitCount(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/** Writes a non-negative integer at `off` without building a string; returns the end offset. */
function writeUint(buf: Buffer, off: number, n: number): number {
  const end = off + digitCount(n);
  let i = end - 1;
  do {
    buf[i--] = DIGIT_0 + (n % 10);
    n = Math.floor(n / 10);
  } while (n > 0);
  return end;
}

/** A piece of a compiled template: literal bytes, or a placeholder filled per message. */
type Segment = Buffer | 'stamp' | 'x' | 'y' | 'iso';

const PLACEHOLDER = /\{(stamp|x|y|iso)\}/g;

/** Compiles a template into segments; without `{stamp}` the stamp goes at the end. */
function compileTemplate(template: string | undefined): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  let hasStamp = false;
  for (const m of (template ?? '').matchAll(PLACEHOLDER)) {
    if (m.index > last) segments.push(Buffer.from(template!.slice(last, m.index)));
    const name = m[1] as 'stamp' | 'x' | 'y' | 'iso';
    if (name === 'stamp') {
      if (hasStamp) continue; // one stamp per message: a second `{stamp}` is left out
      hasStamp = true;
    }
    segments.push(name);
    last = m.index + m[0].length;
  }
  if (template !== undefined && last < template.length) segments.push(Buffer.from(template.slice(last)));
  if (!hasStamp) segments.push('stamp');
  return segments;
}

/**
 * Builds publisher messages from a group's message spec into one reusable buffer.
 *
 * The template may hold `{stamp}` (where the stamp goes; at the end when absent), `{x}` and
 * `{y}` (a point that moves a little with every message: whiteboard strokes) and `{iso}` (the
 * send time as ISO 8601). Padding up to `sizeBytes` is written right after the stamp, inside
 * it as far as a JSON string is concerned, so `"stamp":"{stamp}"` stays valid JSON at any size.
 */
export class FanoutWriter {
  private readonly buf: Buffer;
  private readonly segments: Segment[];

  constructor(
    readonly sizeBytes: number,
    template: string | undefined,
  ) {
    this.segments = compileTemplate(template);
    let capacity = sizeBytes;
    for (const s of this.segments) {
      if (typeof s !== 'string') capacity += s.length;
      else capacity += s === 'stamp' ? MAX_STAMP_BYTES : s === 'iso' ? ISO_BYTES : MAX_NUMBER_BYTES;
    }
    this.buf = Buffer.alloc(capacity, PAD);
  }

  /** Writes one message; the returned view is valid until the next call. */
  write(publisherId: number, part: number, seq: number, sentUs: number, x: number, y: number): Buffer {
    const t = Math.round(sentUs);
    const stampBytes = 4 + digitCount(publisherId) + 1 + digitCount(part) + 1 + digitCount(seq) + 1 + digitCount(t) + 1;
    let fixed = 0;
    for (const s of this.segments) {
      if (typeof s !== 'string') fixed += s.length;
      else if (s === 'stamp') fixed += stampBytes;
      else if (s === 'iso') fixed += ISO_BYTES;
      else fixed += digitCount(s === 'x' ? x : y);
    }
    const pad = Math.max(0, this.sizeBytes - fixed);
    const buf = this.buf;
    let off = 0;
    for (const s of this.segments) {
      if (typeof s !== 'string') off += s.copy(buf, off);
      else if (s === 'stamp') {
        off += MARKER.copy(buf, off);
        off = writeUint(buf, off, publisherId);
        buf[off++] = COLON;
        off = writeUint(buf, off, part);
        buf[off++] = COLON;
        off = writeUint(buf, off, seq);
        buf[off++] = COLON;
        off = writeUint(buf, off, t);
        buf[off++] = SEMI;
        buf.fill(PAD, off, off + pad);
        off += pad;
      } else if (s === 'iso') off += buf.write(new Date().toISOString(), off, 'latin1');
      else off = writeUint(buf, off, s === 'x' ? x : y);
    }
    // The sender copies it (a whole frame, or for permessage-deflate a copy: ws.ts).
    return buf.subarray(0, off);
  }
}
