/**
 * Reading what an SSE event's data says about its place in the stream, without JSON.parse or
 * substrings: the reference server's stamp (`{"seq":n,"t":"<hrtime ns>"}`, docs/architecture.md §5) and
 * bare integers (the seed's `data:0` … `data:9`, numeric `id:` fields).
 */

/** A parsed stamp; reused by {@link readEventStamp} so parsing allocates nothing. */
export interface EventStamp {
  seq: number;
  /** The server's `process.hrtime.bigint()` when it wrote the event, in nanoseconds. */
  tNs: number;
}

const DIGIT_0 = 48;
const QUOTE = 34;
const SPACE = 32;
const SEQ_PREFIX = '{"seq":';
const T_KEY = '"t":';
/** 15 digits stay exact in a double; longer numbers are not sequence numbers we can count with. */
const MAX_SEQ_DIGITS = 15;

/**
 * Reads `{"seq":<n>,"t":<ns>}` (`t` quoted or not, spaces after `:` and `,` allowed) from the
 * start of `data` into `out`. Returns false, leaving `out` alone, for anything else.
 *
 * `t` is kept as a double: hrtime nanoseconds stay below 2^53 for 104 days of uptime, and the
 * sub-microsecond rounding beyond that does not matter for a latency recorded in microseconds.
 */
export function readEventStamp(data: string, out: EventStamp): boolean {
  if (!data.startsWith(SEQ_PREFIX)) return false;
  let i = skipSpaces(data, SEQ_PREFIX.length);
  let seq = 0;
  const seqStart = i;
  for (let d = data.charCodeAt(i) - DIGIT_0; d >= 0 && d <= 9; d = data.charCodeAt(++i) - DIGIT_0) seq = seq * 10 + d;
  if (i === seqStart || i - seqStart > MAX_SEQ_DIGITS || data.charCodeAt(i) !== 44 /* , */) return false;
  i = skipSpaces(data, i + 1);
  if (!data.startsWith(T_KEY, i)) return false;
  i = skipSpaces(data, i + T_KEY.length);
  const quoted = data.charCodeAt(i) === QUOTE;
  if (quoted) i++;
  let t = 0;
  const tStart = i;
  for (let d = data.charCodeAt(i) - DIGIT_0; d >= 0 && d <= 9; d = data.charCodeAt(++i) - DIGIT_0) t = t * 10 + d;
  if (i === tStart || (quoted && data.charCodeAt(i) !== QUOTE)) return false;
  out.seq = seq;
  out.tNs = t;
  return true;
}

/** `text` as a whole non-negative integer (at most 15 digits), or -1 when it is not one. */
export function readSequenceNumber(text: string): number {
  const n = text.length;
  if (n === 0 || n > MAX_SEQ_DIGITS) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = text.charCodeAt(i) - DIGIT_0;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

function skipSpaces(s: string, i: number): number {
  while (s.charCodeAt(i) === SPACE) i++;
  return i;
}
