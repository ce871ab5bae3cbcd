/**
 * Probe frames: every message rtbench sends carries a stamp so its reply identifies itself,
 * which makes lost, duplicated and reordered replies exact (docs/architecture.md §5.3).
 *
 * Layout (ASCII, so text frames stay valid UTF-8): `[template]rtb:<seq>:<intendedUs>;` then
 * padding `.` up to the requested size. The stamp comes after an optional template (the
 * Hyperlane seed client's `Now time: <ISO>`), so a server that echoes unchanged still returns
 * it. Parsing scans bytes; no string or JSON is built per message.
 */

const MARKER = Buffer.from('rtb:');
const COLON = 0x3a;
const SEMI = 0x3b;
const PAD = 0x2e;

/** Builds probe frames into one reusable buffer: whoever sends one must copy it before the next call. */
export class ProbeWriter {
  private readonly buf: Buffer;
  private readonly prefix: Buffer | undefined;
  /** The last view handed out: probes of one size reuse it rather than allocate one each. */
  private view: Buffer | undefined;

  constructor(
    readonly sizeBytes: number,
    private readonly template?: string,
  ) {
    this.prefix = template && !template.includes('{iso}') ? Buffer.from(template) : undefined;
    // 48 bytes covers marker + 16-digit seq + 16-digit time + separators.
    this.buf = Buffer.alloc(Math.max(sizeBytes, 48) + (template ? Buffer.byteLength(template) + 32 : 0), PAD);
  }

  /** Writes a probe for `seq` sent at `intendedUs`; returns a view valid until the next call. */
  write(seq: number, intendedUs: number): Buffer {
    let off = 0;
    if (this.template !== undefined) {
      const head = this.prefix ?? Buffer.from(this.template.replace('{iso}', new Date().toISOString()));
      off += head.copy(this.buf, 0);
    }
    off += MARKER.copy(this.buf, off);
    off = writeDecimal(this.buf, off, seq);
    this.buf[off++] = COLON;
    off = writeDecimal(this.buf, off, Math.round(intendedUs));
    this.buf[off++] = SEMI;
    const end = Math.max(off, this.sizeBytes);
    this.buf.fill(PAD, off, end);
    if (this.view?.length !== end) this.view = this.buf.subarray(0, end);
    return this.view;
  }
}

/** Writes a non-negative integer's digits at `off` without building a string; returns the end. */
function writeDecimal(buf: Buffer, off: number, n: number): number {
  let digits = 1;
  for (let p = 10; p <= n; p *= 10) digits++;
  const end = off + digits;
  for (let i = end - 1; i >= off; i--) {
    buf[i] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  return end;
}

/** A parsed stamp; reused by {@link readProbe} to avoid an allocation per reply. */
export interface ProbeStamp {
  seq: number;
  intendedUs: number;
}

/**
 * Reads the stamp from a reply into `out`. Returns false when the frame carries no stamp
 * (a server that transforms payloads, a greeting, a second reply) so the caller can fall
 * back to FIFO matching.
 */
export function readProbe(data: Buffer, out: ProbeStamp): boolean {
  // Without a template the stamp opens the frame: skip the search (a native call per reply).
  const start = data[0] === MARKER[0] && data[1] === MARKER[1] && data[2] === MARKER[2] && data[3] === MARKER[3] ? 0 : data.indexOf(MARKER);
  if (start < 0) return false;
  let i = start + MARKER.length;
  let seq = 0;
  let digits = 0;
  for (; i < data.length && data[i] !== COLON; i++, digits++) {
    const d = data[i]! - 48;
    if (d < 0 || d > 9) return false;
    seq = seq * 10 + d;
  }
  if (digits === 0 || i >= data.length) return false;
  let t = 0;
  digits = 0;
  for (i++; i < data.length && data[i] !== SEMI; i++, digits++) {
    const d = data[i]! - 48;
    if (d < 0 || d > 9) return false;
    t = t * 10 + d;
  }
  if (digits === 0 || i >= data.length) return false;
  out.seq = seq;
  out.intendedUs = t;
  return true;
}
