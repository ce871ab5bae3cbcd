/**
 * Renders a page in headless Chromium (Debian's `chromium`) over the DevTools protocol, with
 * the `ws` client: collects console errors, uncaught exceptions and log errors (a CSP
 * violation is one), evaluates expressions, and takes a full-page screenshot. No
 * playwright/puppeteer: one WebSocket and a handful of protocol methods.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

export interface PageSession {
  /** Console errors, exceptions and error log entries seen so far. */
  errors: string[];
  evaluate<T>(expression: string): Promise<T>;
  screenshot(): Promise<Buffer>;
  close(): Promise<void>;
}

/** Opens `url` in a fresh headless Chromium and waits for its load event. */
export async function openPage(url: string, size = { width: 1100, height: 900 }): Promise<PageSession> {
  if (!CHROMIUM) throw new Error('chromium is not installed (apt-get install -y chromium)');
  const profile = mkdtempSync(join(os.tmpdir(), 'rtbench-chromium-'));
  const child = spawn(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-dev-shm-usage',
      `--user-data-dir=${profile}`,
      '--remote-debugging-port=0',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  try {
    const endpoint = await devtoolsEndpoint(child);
    const cdp = await Cdp.connect(endpoint);
    const { targetId } = await cdp.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await cdp.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    const errors: string[] = [];
    cdp.onEvent = (method, params, session) => {
      if (session !== sessionId) return;
      // biome-ignore lint/suspicious/noExplicitAny: DevTools protocol events are untyped JSON.
      const p = params as Record<string, any>;
      if (method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert'))
        errors.push(
          `console.${p.type}: ${p.args?.map((a: { value?: unknown; description?: string }) => a.value ?? a.description).join(' ')}`,
        );
      if (method === 'Runtime.exceptionThrown')
        errors.push(`exception: ${p.exceptionDetails?.exception?.description ?? p.exceptionDetails?.text}`);
      if (method === 'Log.entryAdded' && p.entry?.level === 'error') errors.push(`log: ${p.entry.text}`);
    };
    const call = <T>(method: string, params: object = {}) => cdp.send<T>(method, params, sessionId);
    await call('Runtime.enable');
    await call('Log.enable');
    await call('Page.enable');
    await call('Emulation.setDeviceMetricsOverride', { width: size.width, height: size.height, deviceScaleFactor: 1, mobile: false });
    const loaded = cdp.waitForEvent('Page.loadEventFired', sessionId);
    await call('Page.navigate', { url });
    await loaded;
    return {
      errors,
      async evaluate<T>(expression: string): Promise<T> {
        const r = await call<{ result: { value: T }; exceptionDetails?: unknown }>('Runtime.evaluate', {
          expression,
          returnByValue: true,
          awaitPromise: true,
        });
        if (r.exceptionDetails) throw new Error(`evaluate failed: ${JSON.stringify(r.exceptionDetails)}`);
        return r.result.value;
      },
      async screenshot(): Promise<Buffer> {
        const { data } = await call<{ data: string }>('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true });
        return Buffer.from(data, 'base64');
      },
      async close(): Promise<void> {
        // The browser drops the connection as it closes, so the reply may never come: don't wait for it.
        void cdp.send('Browser.close').catch(() => undefined);
        await exited(child, 5000);
        cdp.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
}

/** Chromium prints `DevTools listening on ws://...` on stderr once the port is open. */
function devtoolsEndpoint(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not start: ${seen}`)), 20_000);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      seen += chunk;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`chromium exited (${code}): ${seen}`)));
  });
}

function exited(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** A minimal DevTools protocol client: numbered requests, events to one handler. */
class Cdp {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly waiters: Array<{ method: string; session?: string; resolve(): void }> = [];
  onEvent: (method: string, params: unknown, session?: string) => void = () => undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
        method?: string;
        params?: unknown;
        sessionId?: string;
      };
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error.message));
        else p?.resolve(msg.result);
        return;
      }
      if (!msg.method) return;
      this.onEvent(msg.method, msg.params, msg.sessionId);
      for (const w of [...this.waiters]) {
        if (w.method === msg.method && w.session === msg.sessionId) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
  }

  static connect(url: string): Promise<Cdp> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.once('open', () => resolve(new Cdp(ws)));
      ws.once('error', reject);
    });
  }

  send<T = unknown>(method: string, params: object = {}, sessionId?: string): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  waitForEvent(method: string, session?: string): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ method, session, resolve }));
  }

  close(): void {
    this.ws.close();
  }
}
