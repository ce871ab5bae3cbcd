/**
 * Turns the raw contents of a scenario file into a {@link Scenario}, collecting every problem
 * (with its field path) instead of stopping at the first, and throwing one ConfigError.
 */
import { ConfigError, type ValidationIssue } from '../errors.js';
import { parseCount, parseDurationMs, parseSizeBytes } from '../units.js';
import type { ConnectionOptions, LoadModel, MessageSpec, Phase, Protocol, ReplySpec, Scenario } from './types.js';

/** Defaults shared by every scenario (the issue's and DESIGN.md's defaults). */
export const SCENARIO_DEFAULTS = {
  path: { ws: '/websocket', sse: '/sse' } as Record<Protocol, string>,
  messageSizeBytes: 32,
  handshakeTimeoutMs: 5_000,
  replyTimeoutMs: 10_000,
  maxMessageBytes: 100 * 1024 * 1024,
};

const TOP_KEYS = ['$schema', 'name', 'description', 'protocol', 'target', 'path', 'message', 'replies',
  'phases', 'warmup', 'timeouts', 'maxMessage', 'reconnect', 'thresholds'];
const TARGET_KEYS = ['url', 'headers', 'subprotocols', 'origin', 'insecure', 'deflate'];
const MESSAGE_KEYS = ['size', 'binary', 'template'];
const REPLIES_KEYS = ['perMessage', 'skipFirst'];
const PHASE_KEYS = ['duration', 'connections', 'connectRate', 'load'];
const LOAD_KEYS = ['model', 'rate', 'totalRate', 'arrival', 'inFlight', 'thinkTime'];
const TIMEOUT_KEYS = ['handshake', 'reply'];
const URL_SCHEMES: Record<Protocol, string[]> = { ws: ['ws:', 'wss:'], sse: ['http:', 'https:'] };

type Obj = Record<string, unknown>;

/** Collects issues while reading fields; each reader returns undefined when the field is bad. */
class Reader {
  readonly issues: ValidationIssue[] = [];

  fail(path: string, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  object(value: unknown, path: string, keys: string[]): Obj | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return this.fail(path, `must be an object, got ${describe(value)}`);
    }
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) this.fail(join(path, key), `unknown field (allowed: ${keys.join(', ')})`);
    }
    return value as Obj;
  }

  string(value: unknown, path: string): string | undefined {
    return typeof value === 'string' ? value : this.fail(path, `must be a string, got ${describe(value)}`);
  }

  boolean(value: unknown, path: string): boolean | undefined {
    return typeof value === 'boolean' ? value : this.fail(path, `must be true or false, got ${describe(value)}`);
  }

  number(value: unknown, path: string, rule: { min?: number; above?: number; integer?: boolean }): number | undefined {
    const n = typeof value === 'number' || typeof value === 'string' ? parseCount(value) ?? signed(value) : undefined;
    if (n === undefined || Number.isNaN(n)) return this.fail(path, `must be a number, got ${describe(value)}`);
    if (rule.integer && !Number.isInteger(n)) return this.fail(path, `must be a whole number, got ${describe(value)}`);
    if (rule.above !== undefined && !(n > rule.above)) return this.fail(path, `must be > ${rule.above}, got ${describe(value)}`);
    if (rule.min !== undefined && n < rule.min) return this.fail(path, `must be >= ${rule.min}, got ${describe(value)}`);
    return n;
  }

  duration(value: unknown, path: string): number | undefined {
    const ms = typeof value === 'number' || typeof value === 'string' ? parseDurationMs(value) : undefined;
    if (ms === undefined) {
      if (signed(value) !== undefined && signed(value)! < 0) return this.fail(path, `must be >= 0, got ${describe(value)}`);
      return this.fail(path, `must be a duration such as 500ms, 10s or 2m, got ${describe(value)}`);
    }
    return ms;
  }

  size(value: unknown, path: string): number | undefined {
    const bytes = typeof value === 'number' || typeof value === 'string' ? parseSizeBytes(value) : undefined;
    return bytes === undefined ? this.fail(path, `must be a size such as 512, 4KiB or 1MiB, got ${describe(value)}`) : bytes;
  }

  stringRecord(value: unknown, path: string): Record<string, string> | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return this.fail(path, `must be an object of strings, got ${describe(value)}`);
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) {
      const s = this.string(v, join(path, k));
      if (s !== undefined) out[k] = s;
    }
    return out;
  }
}

/**
 * Validates a parsed scenario file. `source` names it in messages (a path or a built-in name).
 * Throws ConfigError listing every problem found.
 */
export function validateScenario(raw: unknown, source: string): Scenario {
  const r = new Reader();
  const top = r.object(raw, '', TOP_KEYS);
  if (!top) throw new ConfigError(source, r.issues);

  const name = top.name === undefined ? r.fail('name', 'is required') : r.string(top.name, 'name');
  if (name !== undefined && !/^[A-Za-z0-9._-]+$/.test(name)) r.fail('name', `must use letters, digits, '.', '_' or '-' only, got ${describe(name)}`);
  const description = top.description === undefined ? undefined : r.string(top.description, 'description');

  let protocol: Protocol = 'ws';
  if (top.protocol !== undefined) {
    if (top.protocol === 'ws' || top.protocol === 'sse') protocol = top.protocol;
    else r.fail('protocol', `must be "ws" or "sse", got ${describe(top.protocol)}`);
  }

  const connection: ConnectionOptions = {
    handshakeTimeoutMs: SCENARIO_DEFAULTS.handshakeTimeoutMs,
    replyTimeoutMs: SCENARIO_DEFAULTS.replyTimeoutMs,
    maxMessageBytes: SCENARIO_DEFAULTS.maxMessageBytes,
    reconnect: false,
    headers: {},
    subprotocols: [],
    insecure: false,
    deflate: false,
  };
  let targetUrl: string | undefined;
  if (top.target !== undefined) {
    const t = typeof top.target === 'string' ? { url: top.target } : r.object(top.target, 'target', TARGET_KEYS);
    if (t) {
      const urlPath = typeof top.target === 'string' ? 'target' : 'target.url';
      const url = t.url === undefined ? r.fail(urlPath, 'is required') : r.string(t.url, urlPath);
      if (url !== undefined) targetUrl = checkUrl(r, url, urlPath, protocol);
      if (t.headers !== undefined) connection.headers = r.stringRecord(t.headers, 'target.headers') ?? {};
      if (t.subprotocols !== undefined) {
        if (Array.isArray(t.subprotocols)) {
          connection.subprotocols = t.subprotocols.flatMap((s, i) => r.string(s, `target.subprotocols[${i}]`) ?? []);
        } else r.fail('target.subprotocols', `must be a list of strings, got ${describe(t.subprotocols)}`);
      }
      if (t.origin !== undefined) connection.origin = r.string(t.origin, 'target.origin');
      if (t.insecure !== undefined) connection.insecure = r.boolean(t.insecure, 'target.insecure') ?? false;
      if (t.deflate !== undefined) connection.deflate = r.boolean(t.deflate, 'target.deflate') ?? false;
    }
  }

  let path = SCENARIO_DEFAULTS.path[protocol];
  if (top.path !== undefined) {
    const p = r.string(top.path, 'path');
    if (p !== undefined) {
      if (p.startsWith('/')) path = p;
      else r.fail('path', `must start with '/', got ${describe(p)}`);
    }
  }

  const message: MessageSpec = { sizeBytes: SCENARIO_DEFAULTS.messageSizeBytes, binary: false };
  if (top.message !== undefined) {
    const m = r.object(top.message, 'message', MESSAGE_KEYS);
    if (m) {
      if (m.size !== undefined) message.sizeBytes = r.size(m.size, 'message.size') ?? message.sizeBytes;
      if (m.binary !== undefined) message.binary = r.boolean(m.binary, 'message.binary') ?? false;
      if (m.template !== undefined) message.template = r.string(m.template, 'message.template');
    }
  }

  const replies: ReplySpec = { perMessage: 1, skipFirst: 0 };
  if (top.replies !== undefined) {
    const rp = r.object(top.replies, 'replies', REPLIES_KEYS);
    if (rp) {
      if (rp.perMessage !== undefined) replies.perMessage = r.number(rp.perMessage, 'replies.perMessage', { min: 0, integer: true }) ?? 1;
      if (rp.skipFirst !== undefined) replies.skipFirst = r.number(rp.skipFirst, 'replies.skipFirst', { min: 0, integer: true }) ?? 0;
    }
  }

  const phases: Phase[] = [];
  if (top.phases === undefined) r.fail('phases', 'is required (a list of at least one phase)');
  else if (!Array.isArray(top.phases) || top.phases.length === 0) {
    r.fail('phases', `must be a non-empty list, got ${describe(top.phases)}`);
  } else {
    top.phases.forEach((p, i) => {
      const phase = readPhase(r, p, `phases[${i}]`);
      if (phase) phases.push(phase);
    });
  }

  const warmupMs = top.warmup === undefined ? 0 : r.duration(top.warmup, 'warmup') ?? 0;
  const firstSteady = phases[0]?.durationMs;
  if (firstSteady !== undefined && warmupMs >= firstSteady && warmupMs > 0) {
    r.fail('warmup', `must be shorter than phases[0].duration (${firstSteady}ms), got ${warmupMs}ms`);
  }

  if (top.timeouts !== undefined) {
    const t = r.object(top.timeouts, 'timeouts', TIMEOUT_KEYS);
    if (t) {
      if (t.handshake !== undefined) connection.handshakeTimeoutMs = positiveDuration(r, t.handshake, 'timeouts.handshake') ?? connection.handshakeTimeoutMs;
      if (t.reply !== undefined) connection.replyTimeoutMs = positiveDuration(r, t.reply, 'timeouts.reply') ?? connection.replyTimeoutMs;
    }
  }
  if (top.maxMessage !== undefined) connection.maxMessageBytes = r.size(top.maxMessage, 'maxMessage') ?? connection.maxMessageBytes;
  if (top.reconnect !== undefined) connection.reconnect = r.boolean(top.reconnect, 'reconnect') ?? false;

  let thresholds: string[] = [];
  if (top.thresholds !== undefined) {
    if (Array.isArray(top.thresholds)) thresholds = top.thresholds.flatMap((t, i) => r.string(t, `thresholds[${i}]`) ?? []);
    else r.fail('thresholds', `must be a list of strings such as "latency.p99<50ms", got ${describe(top.thresholds)}`);
  }

  if (r.issues.length > 0 || name === undefined) throw new ConfigError(source, r.issues);
  return { name, description, protocol, targetUrl, path, message, replies, phases, warmupMs, connection, thresholds };
}

function readPhase(r: Reader, raw: unknown, path: string): Phase | undefined {
  const p = r.object(raw, path, PHASE_KEYS);
  if (!p) return undefined;
  const durationMs = p.duration === undefined ? r.fail(`${path}.duration`, 'is required') : r.duration(p.duration, `${path}.duration`);
  const connections = p.connections === undefined
    ? r.fail(`${path}.connections`, 'is required')
    : r.number(p.connections, `${path}.connections`, { min: 0, integer: true });
  const connectRatePerSec = p.connectRate === undefined ? undefined : r.number(p.connectRate, `${path}.connectRate`, { above: 0 });
  const load = p.load === undefined ? undefined : readLoad(r, p.load, `${path}.load`, connections);
  if (durationMs === undefined || connections === undefined) return undefined;
  return { durationMs, connections, connectRatePerSec, load };
}

function readLoad(r: Reader, raw: unknown, path: string, connections: number | undefined): LoadModel | undefined {
  const l = r.object(raw, path, LOAD_KEYS);
  if (!l) return undefined;
  const model = l.model ?? (l.inFlight !== undefined ? 'closed' : 'open');
  if (model === 'closed') {
    for (const key of ['rate', 'totalRate', 'arrival']) {
      if (l[key] !== undefined) r.fail(`${path}.${key}`, 'applies to the open model only; closed runs send on reply');
    }
    const inFlight = l.inFlight === undefined ? 1 : r.number(l.inFlight, `${path}.inFlight`, { min: 1, integer: true });
    const thinkTimeMs = l.thinkTime === undefined ? 0 : r.duration(l.thinkTime, `${path}.thinkTime`);
    return inFlight === undefined || thinkTimeMs === undefined ? undefined : { kind: 'closed', inFlight, thinkTimeMs };
  }
  if (model !== 'open') return r.fail(`${path}.model`, `must be "open" or "closed", got ${describe(model)}`);
  for (const key of ['inFlight', 'thinkTime']) {
    if (l[key] !== undefined) r.fail(`${path}.${key}`, 'applies to the closed model only');
  }
  let arrival: 'uniform' | 'poisson' = 'uniform';
  if (l.arrival !== undefined) {
    if (l.arrival === 'uniform' || l.arrival === 'poisson') arrival = l.arrival;
    else r.fail(`${path}.arrival`, `must be "uniform" or "poisson", got ${describe(l.arrival)}`);
  }
  if (l.rate !== undefined && l.totalRate !== undefined) return r.fail(path, 'give rate (per connection) or totalRate, not both');
  if (l.rate !== undefined) {
    const ratePerSec = r.number(l.rate, `${path}.rate`, { above: 0 });
    return ratePerSec === undefined ? undefined : { kind: 'open', ratePerSec, arrival };
  }
  if (l.totalRate !== undefined) {
    const total = r.number(l.totalRate, `${path}.totalRate`, { above: 0 });
    if (total === undefined || connections === undefined) return undefined;
    if (connections === 0) return r.fail(`${path}.totalRate`, 'needs connections > 0 in the same phase');
    return { kind: 'open', ratePerSec: total / connections, arrival };
  }
  return r.fail(`${path}.rate`, 'is required for the open model (messages per second per connection)');
}

function positiveDuration(r: Reader, value: unknown, path: string): number | undefined {
  const ms = r.duration(value, path);
  if (ms !== undefined && ms <= 0) return r.fail(path, `must be > 0, got ${describe(value)}`);
  return ms;
}

/** Checks a target URL's syntax and scheme for the protocol; returns it normalised. */
export function checkUrl(r: { fail(path: string, message: string): undefined }, url: string, path: string, protocol: Protocol): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return r.fail(path, `is not a valid URL: ${describe(url)}`);
  }
  const schemes = URL_SCHEMES[protocol];
  if (!schemes.includes(parsed.protocol)) {
    return r.fail(path, `must use ${schemes.map((s) => `${s}//`).join(' or ')} for protocol "${protocol}", got ${describe(url)}`);
  }
  return parsed.toString();
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function signed(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const s = JSON.stringify(value);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
