import { describe, expect, it } from 'vitest';
import { ProbeWriter, readProbe } from '../../dist/protocol/payload.js';
import {
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  mergeHistograms,
  summarizeHistogram,
} from '../../dist/metrics/histogram.js';
import { Recorder } from '../../dist/metrics/recorder.js';

describe('probe frames', () => {
  it('round-trips seq and time at the requested size', () => {
    const w = new ProbeWriter(64);
    const frame = Buffer.from(w.write(12345, 987654321.7));
    expect(frame.length).toBe(64);
    expect(frame.toString('latin1')).toMatch(/^rtb:12345:987654322;\.+$/);
    const out = { seq: 0, intendedUs: 0 };
    expect(readProbe(frame, out)).toBe(true);
    expect(out).toEqual({ seq: 12345, intendedUs: 987654322 });
  });

  it('grows past a size smaller than the stamp, keeps a template in front', () => {
    expect(new ProbeWriter(4).write(1, 2).toString()).toBe('rtb:1:2;');
    const t = new ProbeWriter(0, 'Now time: {iso}').write(7, 8).toString();
    expect(t).toMatch(/^Now time: \d{4}-\d\d-\d\dT[\d:.]+Z rtb:7:8;$|^Now time: \d{4}-\d\d-\d\dT[\d:.]+Zrtb:7:8;$/);
    const out = { seq: 0, intendedUs: 0 };
    expect(readProbe(Buffer.from(t), out)).toBe(true);
    expect(out.seq).toBe(7);
  });

  it('reports no stamp for foreign payloads', () => {
    const out = { seq: 0, intendedUs: 0 };
    for (const s of ['hello', 'rtb:', 'rtb:12', 'rtb:1x:2;', 'rtb:1:;']) expect(readProbe(Buffer.from(s), out)).toBe(false);
  });
});

describe('histograms', () => {
  it('merging equals recording everything into one, through the encoding', () => {
    const all = createLatencyHistogram();
    const parts = [createLatencyHistogram(), createLatencyHistogram(), createLatencyHistogram()];
    for (let i = 1; i <= 30_000; i++) {
      const v = ((i * 7919) % 250_000) + 1;
      all.recordValue(v);
      parts[i % 3]!.recordValue(v);
    }
    const merged = mergeHistograms(parts.map((p) => decodeHistogram(encodeHistogram(p))));
    expect(summarizeHistogram(merged)).toEqual(summarizeHistogram(all));
    expect(merged.totalCount).toBe(30_000);
  });

  it('an empty histogram summarises to zeros and decodes from an empty string', () => {
    expect(summarizeHistogram(decodeHistogram('')).count).toBe(0);
  });
});

describe('Recorder', () => {
  it('routes warm-up samples apart, clamps huge values, counts errors, resets per snapshot', () => {
    const r = new Recorder();
    r.record('latency', 100);
    r.measuring = true;
    r.record('latency', 200);
    r.record('latency', 0.2);
    r.record('latency', 1e12);
    r.record('connect_time', 50, true);
    r.error('reset');
    r.error('reset');
    r.counters.msgs_sent += 3;
    const snap = r.takeSnapshot();
    expect(decodeHistogram(snap.warmup.latency!).totalCount).toBe(1);
    const measured = decodeHistogram(snap.measured.latency!);
    expect(measured.totalCount).toBe(3);
    expect(measured.minNonZeroValue).toBe(1);
    expect(snap.counters.values_clamped).toBe(1);
    expect(snap.errors).toEqual({ reset: 2 });
    expect(snap.counters.msgs_sent).toBe(3);
    const next = r.takeSnapshot();
    expect(next.measured).toEqual({});
    expect(next.counters.msgs_sent).toBe(0);
  });
});
