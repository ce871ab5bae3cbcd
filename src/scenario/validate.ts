/**
 * Turns the raw contents of a scenario file into a {@link Scenario}, collecting every problem
 * (with its field path) instead of stopping at the first, and throwing one ConfigError.
 */
import { ConfigError, type ValidationIssue } from '../errors.js';
import { parseCount, parseDurationMs, parseSizeBytes } from '../units.js';
import type {
  ConnectionOptions,
  EmbeddedServerSpec,
  FanoutSpec,
  Group,
  LoadModel,
  MessageSpec,
  Phase,
  Protocol,
  ReplySpec,
  Role,
  Scenario,
  SseClient,
  SseSpec,
} from './types.js';

/**
 * Open loop: messages awaiting a reply per connection before a due send waits. 0: none ever
 * waits, as a WebSocket client sends whatever is outstanding. A cap (request/response
 * emulation) turns a server slower than the send interval into a queue inside the generator.
 */
export const DEFAULT_MAX_IN_FLIGHT = 0;

/** Defaults shared by every scenario (the issue's and docs/architecture.md §6 defaults). */
export const SCENARIO_DEFAULTS = {
  path: { ws: '/websocket', sse: '/sse' } as Record<Protocol, string>,
  messageSizeBytes: 32,
  handshakeTimeoutMs: 5_000,
  replyTimeoutMs: 10_000,
  /** Per connection; the send queue holds 24-48 bytes per outstanding message (README). */
  maxOutstanding: 10_000,
  maxMessageBytes: 100 * 1024 * 1024,
  /** SSE events: raw bytes of one pending event (docs/faults.md #11). */
  maxEventBytes: 1024 * 1024,
  /** Where fan-out roles connect on the embedded server when no path is given. */
  fanoutPath: '/broadcast',
  /** The reference `/broadcast` relays to the sender too; 100 ms one way is late for a chat. */
  fanout: { includeSender: true, lateAfterMs: 100 } as Readonly<FanoutSpec>,
};

/** Roles that take part in fan-out (publish, subscribe, or both). */
export const FANOUT_ROLES: readonly Role[] = ['publisher', 'subscriber', 'pubsub'];

/** True when no group sends anything: every group only subscribes (the server publishes). */
export function isSubscriberOnly(groups: readonly Group[]): boolean {
  return groups.every((g) => g.role === 'subscriber');
}

/** Field names the validator accepts, per object (the JSON Schema is checked against them). */
export const GROUP_FIELD_KEYS = ['protocol', 'role', 'share', 'path', 'message', 'replies', 'sse'];
export const TOP_KEYS = [
  '$schema',
  'name',
  'description',
  'target',
  'groups',
  ...GROUP_FIELD_KEYS,
  'phases',
  'warmup',
  'timeouts',
  'maxMessage',
  'maxOutstanding',
  'reconnect',
  'thresholds',
  'fanout',
  'server',
];
export const GROUP_KEYS = ['name', 'target', ...GROUP_FIELD_KEYS];
const ROLES: Record<Protocol, Role[]> = { ws: ['echo', 'publisher', 'subscriber', 'pubsub'], sse: ['listener'] };
export const TARGET_KEYS = ['url', 'headers', 'subprotocols', 'origin', 'insecure', 'deflate'];
export const MESSAGE_KEYS = ['size', 'binary', 'template'];
export const REPLIES_KEYS = ['perMessage', 'skipFirst'];
export const PHASE_KEYS = ['duration', 'connections', 'connectRate', 'load', 'untilStreamsEnd'];
const SSE_KEYS = ['reconnect', 'expectEvents', 'client'];
const SSE_CLIENTS: SseClient[] = ['http', 'eventsource'];
export const LOAD_KEYS = ['model', 'rate', 'totalRate', 'arrival', 'maxInFlight', 'inFlight', 'thinkTime'];
export const TIMEOUT_KEYS = ['handshake', 'reply'];
export const FANOUT_KEYS = ['includeSender', 'lateAfter'];
export const SERVER_KEYS = ['publishRate'];
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
    const n = typeof value === 'number' || typeof value === 'string' ? (parseCount(value) ?? signed(value)) : undefined;
    if (n === undefined || Number.isNaN(n)) return this.fail(path, `must be a number, got ${describe(value)}`);
    if (rule.integer && !Number.isInteger(n)) return this.fail(path, `must be a whole number, got ${describe(value)}`);
    if (rule.above !== undefined && !(n > rule.above)) return this.fail(path, `must be > ${rule.above}, got ${describe(value)}`);
    if (rule.min !== undefined && n < rule.min) return this.fail(path, `must be >= ${rule.min}, got ${describe(value)}`);
    return n;
  }

  duration(value: unknown, path: string): number | undefined {
    const ms = typeof value === 'number' || typeof value === 'string' ? parseDurationMs(value) : undefined;
    if (ms === undefined) {
      if (typeof value === 'string' && value.trim().startsWith('-')) return this.fail(path, `must not be negative, got ${describe(value)}`);
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
  if (name !== undefined && !/^[A-Za-z0-9._-]+$/.test(name))
    r.fail('name', `must use letters, digits, '.', '_' or '-' only, got ${describe(name)}`);
  const description = top.description === undefined ? undefined : r.string(top.description, 'description');

  const connection: ConnectionOptions = {
    handshakeTimeoutMs: SCENARIO_DEFAULTS.handshakeTimeoutMs,
    replyTimeoutMs: SCENARIO_DEFAULTS.replyTimeoutMs,
    maxOutstanding: SCENARIO_DEFAULTS.maxOutstanding,
    maxMessageBytes: SCENARIO_DEFAULTS.maxMessageBytes,
    maxEventBytes: SCENARIO_DEFAULTS.maxEventBytes,
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
      if (url !== undefined) targetUrl = checkUrlSyntax(r, url, urlPath);
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

  // Top-level group fields are the defaults of every group (and, without `groups`, the one group).
  const defaults = readGroupFields(r, top, '', undefined);
  const groups: Group[] = [];
  if (top.groups === undefined) {
    groups.push({ ...defaults, name: 'main' });
  } else if (!Array.isArray(top.groups) || top.groups.length === 0) {
    r.fail('groups', `must be a non-empty list, got ${describe(top.groups)}`);
  } else {
    top.groups.forEach((g, i) => {
      const obj = r.object(g, `groups[${i}]`, GROUP_KEYS);
      if (!obj) return;
      const group = readGroupFields(r, obj, `groups[${i}]`, defaults);
      const name = obj.name === undefined ? `group${i + 1}` : (r.string(obj.name, `groups[${i}].name`) ?? `group${i + 1}`);
      if (groups.some((other) => other.name === name)) r.fail(`groups[${i}].name`, `must be unique, "${name}" is used twice`);
      groups.push({ ...group, name });
    });
  }
  groups.forEach((g, i) => {
    const url = g.targetUrl ?? targetUrl;
    const where = g.targetUrl ? (top.groups ? `groups[${i}].target` : 'target') : 'target';
    if (url !== undefined) checkScheme(r, url, where, g.protocol);
  });

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

  const warmupMs = top.warmup === undefined ? 0 : (r.duration(top.warmup, 'warmup') ?? 0);
  const firstSteady = phases[0]?.durationMs;
  if (firstSteady !== undefined && warmupMs >= firstSteady && warmupMs > 0) {
    r.fail('warmup', `must be shorter than phases[0].duration (${firstSteady}ms), got ${warmupMs}ms`);
  }

  if (top.timeouts !== undefined) {
    const t = r.object(top.timeouts, 'timeouts', TIMEOUT_KEYS);
    if (t) {
      if (t.handshake !== undefined)
        connection.handshakeTimeoutMs = positiveDuration(r, t.handshake, 'timeouts.handshake') ?? connection.handshakeTimeoutMs;
      if (t.reply !== undefined) connection.replyTimeoutMs = positiveDuration(r, t.reply, 'timeouts.reply') ?? connection.replyTimeoutMs;
    }
  }
  if (top.maxMessage !== undefined) {
    connection.maxMessageBytes = r.size(top.maxMessage, 'maxMessage') ?? connection.maxMessageBytes;
    connection.maxEventBytes = connection.maxMessageBytes;
  }
  if (top.maxOutstanding !== undefined) {
    connection.maxOutstanding = r.number(top.maxOutstanding, 'maxOutstanding', { min: 1, integer: true }) ?? connection.maxOutstanding;
  }
  if (top.reconnect !== undefined) connection.reconnect = r.boolean(top.reconnect, 'reconnect') ?? false;

  let thresholds: string[] = [];
  if (top.thresholds !== undefined) {
    if (Array.isArray(top.thresholds)) thresholds = top.thresholds.flatMap((t, i) => r.string(t, `thresholds[${i}]`) ?? []);
    else r.fail('thresholds', `must be a list of strings such as "latency.p99<50ms", got ${describe(top.thresholds)}`);
  }

  // Fan-out roles default to the embedded server's broadcast path, not the echo path.
  groups.forEach((g, i) => {
    const raw = Array.isArray(top.groups) ? (top.groups[i] as Obj | undefined) : undefined;
    if (FANOUT_ROLES.includes(g.role) && top.path === undefined && raw?.path === undefined) g.path = SCENARIO_DEFAULTS.fanoutPath;
  });
  const { fanout, server } = readFanoutFields(r, top, groups, phases);
  phases.forEach((p, i) => {
    const depth = p.load?.kind === 'closed' ? p.load.inFlight : (p.load?.maxInFlight ?? 0);
    const key = p.load?.kind === 'closed' ? 'inFlight' : 'maxInFlight';
    if (depth > connection.maxOutstanding)
      r.fail(`phases[${i}].load.${key}`, `must be at most maxOutstanding (${connection.maxOutstanding}), got ${depth}`);
  });

  if (r.issues.length > 0 || name === undefined) throw new ConfigError(source, r.issues);
  return {
    name,
    description,
    targetUrl,
    groups,
    phases,
    warmupMs,
    connection,
    thresholds,
    ...(fanout ? { fanout } : {}),
    ...(server ? { server } : {}),
  };
}

/**
 * `fanout` (delivery counting) and `server` (the embedded server's own publisher), plus the
 * checks that tie them to groups and phases: publishers send at a rate (a closed loop has no
 * reply to wait for), and a scenario whose every group subscribes has no load of its own.
 */
function readFanoutFields(r: Reader, top: Obj, groups: Group[], phases: Phase[]): { fanout?: FanoutSpec; server?: EmbeddedServerSpec } {
  const hasFanout = groups.some((g) => FANOUT_ROLES.includes(g.role));
  const fanout: FanoutSpec | undefined = hasFanout ? { ...SCENARIO_DEFAULTS.fanout } : undefined;
  if (top.fanout !== undefined) {
    if (!fanout) r.fail('fanout', 'applies to scenarios with a group of role "publisher", "subscriber" or "pubsub"');
    const o = r.object(top.fanout, 'fanout', FANOUT_KEYS);
    if (o && fanout) {
      if (o.includeSender !== undefined) fanout.includeSender = r.boolean(o.includeSender, 'fanout.includeSender') ?? fanout.includeSender;
      if (o.lateAfter !== undefined) fanout.lateAfterMs = positiveDuration(r, o.lateAfter, 'fanout.lateAfter') ?? fanout.lateAfterMs;
    }
  }
  let server: EmbeddedServerSpec | undefined;
  if (top.server !== undefined) {
    const o = r.object(top.server, 'server', SERVER_KEYS);
    if (o) {
      const rate =
        o.publishRate === undefined
          ? r.fail('server.publishRate', 'is required')
          : r.number(o.publishRate, 'server.publishRate', { above: 0 });
      if (rate !== undefined) server = { publishRatePerSec: rate };
    }
  }
  const publisher = groups.find((g) => g.role === 'publisher' || g.role === 'pubsub');
  phases.forEach((p, i) => {
    if (publisher && p.load?.kind === 'closed') {
      r.fail(
        `phases[${i}].load.model`,
        `must be "open" (rate or totalRate): group "${publisher.name}" publishes ` +
          `(role "${publisher.role}"), and a publisher sends at a rate, not on replies`,
      );
    }
    if (p.load && groups.length > 0 && isSubscriberOnly(groups)) {
      r.fail(
        `phases[${i}].load`,
        "has nothing to drive: every group only subscribes (the server publishes; server.publishRate sets the embedded server's rate)",
      );
    }
  });
  return { fanout, server };
}

function readPhase(r: Reader, raw: unknown, path: string): Phase | undefined {
  const p = r.object(raw, path, PHASE_KEYS);
  if (!p) return undefined;
  const durationMs = p.duration === undefined ? r.fail(`${path}.duration`, 'is required') : r.duration(p.duration, `${path}.duration`);
  const connections =
    p.connections === undefined
      ? r.fail(`${path}.connections`, 'is required')
      : r.number(p.connections, `${path}.connections`, { min: 0, integer: true });
  const connectRatePerSec = p.connectRate === undefined ? undefined : r.number(p.connectRate, `${path}.connectRate`, { above: 0 });
  const load = p.load === undefined ? undefined : readLoad(r, p.load, `${path}.load`, connections);
  const untilStreamsEnd = p.untilStreamsEnd === undefined ? undefined : r.boolean(p.untilStreamsEnd, `${path}.untilStreamsEnd`);
  if (durationMs === undefined || connections === undefined) return undefined;
  return { durationMs, connections, connectRatePerSec, load, ...(untilStreamsEnd ? { untilStreamsEnd } : {}) };
}

function readLoad(r: Reader, raw: unknown, path: string, connections: number | undefined): LoadModel | undefined {
  const l = r.object(raw, path, LOAD_KEYS);
  if (!l) return undefined;
  const model = l.model ?? (l.inFlight !== undefined ? 'closed' : 'open');
  if (model === 'closed') {
    for (const key of ['rate', 'totalRate', 'arrival', 'maxInFlight']) {
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
  const maxInFlight =
    l.maxInFlight === undefined ? DEFAULT_MAX_IN_FLIGHT : r.number(l.maxInFlight, `${path}.maxInFlight`, { min: 0, integer: true });
  if (maxInFlight === undefined) return undefined;
  if (l.rate !== undefined && l.totalRate !== undefined) return r.fail(path, 'give rate (per connection) or totalRate, not both');
  if (l.rate !== undefined) {
    const ratePerSec = r.number(l.rate, `${path}.rate`, { above: 0 });
    return ratePerSec === undefined ? undefined : { kind: 'open', ratePerSec, arrival, maxInFlight };
  }
  if (l.totalRate !== undefined) {
    const total = r.number(l.totalRate, `${path}.totalRate`, { above: 0 });
    if (total === undefined || connections === undefined) return undefined;
    if (connections === 0) return r.fail(`${path}.totalRate`, 'needs connections > 0 in the same phase');
    return { kind: 'open', ratePerSec: total / connections, arrival, maxInFlight };
  }
  return r.fail(`${path}.rate`, 'is required for the open model (messages per second per connection)');
}

function positiveDuration(r: Reader, value: unknown, path: string): number | undefined {
  const ms = r.duration(value, path);
  if (ms !== undefined && ms <= 0) return r.fail(path, `must be > 0, got ${describe(value)}`);
  return ms;
}

type Failer = { fail(path: string, message: string): undefined };

/** Checks a URL's syntax; returns it normalised. */
export function checkUrlSyntax(r: Failer, url: string, path: string): string | undefined {
  try {
    return new URL(url).toString();
  } catch {
    return r.fail(path, `is not a valid URL: ${describe(url)}`);
  }
}

/** Checks that a URL's scheme suits the protocol (ws:// for WebSocket, http:// for SSE). */
export function checkScheme(r: Failer, url: string, path: string, protocol: Protocol): boolean {
  const schemes = URL_SCHEMES[protocol];
  if (schemes.includes(new URL(url).protocol)) return true;
  r.fail(path, `must use ${schemes.map((s) => `${s}//`).join(' or ')} for protocol "${protocol}", got ${describe(url)}`);
  return false;
}

/** The fields a group has, read from a group object or the top level (defaults). */
function readGroupFields(r: Reader, o: Obj, at: string, base: Omit<Group, 'name'> | undefined): Omit<Group, 'name'> {
  const p = (key: string) => (at ? `${at}.${key}` : key);
  let protocol: Protocol = base?.protocol ?? 'ws';
  if (o.protocol !== undefined) {
    if (o.protocol === 'ws' || o.protocol === 'sse') protocol = o.protocol;
    else r.fail(p('protocol'), `must be "ws" or "sse", got ${describe(o.protocol)}`);
  }
  const protocolChanged = base !== undefined && protocol !== base.protocol;
  let role: Role = base && !protocolChanged ? base.role : protocol === 'sse' ? 'listener' : 'echo';
  if (o.role !== undefined) {
    if (typeof o.role === 'string' && ROLES[protocol].includes(o.role as Role)) role = o.role as Role;
    else
      r.fail(
        p('role'),
        `must be one of ${ROLES[protocol].map((x) => `"${x}"`).join(', ')} for protocol "${protocol}", got ${describe(o.role)}`,
      );
  }
  const share = o.share === undefined ? 1 : (r.number(o.share, p('share'), { above: 0 }) ?? 1);
  let path = base && !protocolChanged ? base.path : SCENARIO_DEFAULTS.path[protocol];
  if (o.path !== undefined) {
    const v = r.string(o.path, p('path'));
    if (v !== undefined) {
      if (v.startsWith('/')) path = v;
      else r.fail(p('path'), `must start with '/', got ${describe(v)}`);
    }
  }
  const message: MessageSpec = base ? { ...base.message } : { sizeBytes: SCENARIO_DEFAULTS.messageSizeBytes, binary: false };
  if (o.message !== undefined) {
    const m = r.object(o.message, p('message'), MESSAGE_KEYS);
    if (m) {
      if (m.size !== undefined) message.sizeBytes = r.size(m.size, p('message.size')) ?? message.sizeBytes;
      if (m.binary !== undefined) message.binary = r.boolean(m.binary, p('message.binary')) ?? false;
      if (m.template !== undefined) message.template = r.string(m.template, p('message.template'));
    }
  }
  const replies: ReplySpec = base ? { ...base.replies } : { perMessage: 1, skipFirst: 0 };
  if (o.replies !== undefined) {
    const rp = r.object(o.replies, p('replies'), REPLIES_KEYS);
    if (rp) {
      if (rp.perMessage !== undefined)
        replies.perMessage = r.number(rp.perMessage, p('replies.perMessage'), { min: 1, integer: true }) ?? 1;
      if (rp.skipFirst !== undefined) replies.skipFirst = r.number(rp.skipFirst, p('replies.skipFirst'), { min: 0, integer: true }) ?? 0;
    }
  }
  let targetUrl: string | undefined;
  if (at && o.target !== undefined) {
    const url = r.string(o.target, p('target'));
    if (url !== undefined) targetUrl = checkUrlSyntax(r, url, p('target'));
  }
  const sse = readSse(r, o.sse, p('sse'), protocol, protocolChanged ? undefined : base?.sse);
  return { protocol, role, share, path, message, replies, ...(targetUrl ? { targetUrl } : {}), ...(sse ? { sse } : {}) };
}

/**
 * An SSE group's `sse` settings over its defaults: browser-style reconnects, no event count
 * checked, the node:http client. Undefined for WebSocket groups (where the field is an error).
 */
function readSse(r: Reader, raw: unknown, path: string, protocol: Protocol, base: SseSpec | undefined): SseSpec | undefined {
  if (protocol !== 'sse') {
    if (raw !== undefined) r.fail(path, 'applies to protocol "sse" only');
    return undefined;
  }
  const sse: SseSpec = base ? { ...base } : { reconnect: true, client: 'http' };
  if (raw === undefined) return sse;
  const o = r.object(raw, path, SSE_KEYS);
  if (!o) return sse;
  if (o.reconnect !== undefined) sse.reconnect = r.boolean(o.reconnect, `${path}.reconnect`) ?? sse.reconnect;
  if (o.expectEvents !== undefined) sse.expectEvents = r.number(o.expectEvents, `${path}.expectEvents`, { min: 0, integer: true });
  if (o.client !== undefined) {
    if (SSE_CLIENTS.includes(o.client as SseClient)) sse.client = o.client as SseClient;
    else r.fail(`${path}.client`, `must be one of ${SSE_CLIENTS.map((c) => `"${c}"`).join(', ')}, got ${describe(o.client)}`);
  }
  return sse;
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
