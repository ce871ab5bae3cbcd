/**
 * How far this host's wall clock is from the target's, where the target tells its time
 * (`GET /time` → `{"wall_ms": <epoch ms>}`, as the reference server answers). Cross-host
 * one-way latencies (fan-out between shards) are only as exact as the hosts' clocks agree, so
 * each shard records what it measured. NTP's estimate: offset = server time − the midpoint of
 * the request, the sample with the shortest round trip kept (its error is at most half of it).
 */
import http from 'node:http';
import https from 'node:https';

export interface ClockProbe {
  /** Target's clock minus ours, ms; null when the target tells no time. */
  offsetMs: number | null;
  /** Round trip of the kept sample, ms (the offset is within ± half of it). */
  rttMs: number | null;
  /** Where the time came from, or why there is none. */
  source: string;
}

const SAMPLES = 5;
const TIMEOUT_MS = 1000;

/** Probes `<origin of url>/time` a few times; never throws. */
export async function probeTargetClock(targetUrl: string, insecure: boolean): Promise<ClockProbe> {
  const u = new URL(targetUrl);
  const secure = u.protocol === 'wss:' || u.protocol === 'https:';
  const timeUrl = `${secure ? 'https' : 'http'}://${u.host}/time`;
  let best: { offsetMs: number; rttMs: number } | undefined;
  let failure = '';
  for (let i = 0; i < SAMPLES; i++) {
    try {
      const sent = wallMs();
      const body = await getJson(timeUrl, secure, insecure);
      const received = wallMs();
      const serverMs = (body as { wall_ms?: unknown }).wall_ms;
      if (typeof serverMs !== 'number') {
        failure = `${timeUrl} answered without wall_ms`;
        break;
      }
      const rttMs = received - sent;
      if (!best || rttMs < best.rttMs) best = { offsetMs: serverMs - (sent + received) / 2, rttMs };
    } catch (err) {
      failure = `${timeUrl}: ${(err as Error).message}`;
      break;
    }
  }
  if (!best) return { offsetMs: null, rttMs: null, source: `the target tells no time (${failure})` };
  return { offsetMs: round3(best.offsetMs), rttMs: round3(best.rttMs), source: timeUrl };
}

function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

function getJson(url: string, secure: boolean, insecure: boolean): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).get(url, { timeout: TIMEOUT_MS, rejectUnauthorized: !insecure, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
        try {
          resolve(JSON.parse(text));
        } catch {
          reject(new Error('not JSON'));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
