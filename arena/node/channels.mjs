/**
 * /broadcast's channels: the clients' own ("") and one per `publish_hz` value, each a set of
 * sockets that every message is sent to, the sender included (ws's broadcast idiom). In a
 * cluster worker, messages go through the primary so that clients on every worker get them.
 */
import { WebSocket } from 'ws';
import { startPublisher } from './publisher.mjs';

const MAX_PUBLISH_HZ = 100_000;

class Channel {
  /** @type {Set<WebSocket>} */
  sockets = new Set();

  /** @param {(data: Buffer, isBinary: boolean) => void} publish */
  constructor(publish) {
    this.publish = publish;
  }

  /** @param {WebSocket} ws */
  join(ws) {
    this.sockets.add(ws);
    ws.on('message', (data, isBinary) => this.publish(/** @type {Buffer} */ (data), isBinary));
    ws.on('close', () => this.sockets.delete(ws));
  }

  /** Sends to every open socket of this process. */
  deliver(data, isBinary) {
    for (const ws of this.sockets) if (ws.readyState === WebSocket.OPEN) ws.send(data, { binary: isBinary });
  }
}

export class Channels {
  /** @type {Map<string, Channel>} */
  byName = new Map();

  /** @param {boolean} isWorker */
  constructor(isWorker) {
    this.isWorker = isWorker;
    if (isWorker) {
      process.on('message', (/** @type {any} */ m) => {
        if (m.kind === 'deliver') this.byName.get(m.name)?.deliver(m.data, m.isBinary);
      });
    }
  }

  /** The channel for `?publish_hz=` (null: the clients' own), created on first use; undefined when the value is invalid. */
  forQuery(hzText) {
    const name = hzText ?? '';
    const existing = this.byName.get(name);
    if (existing) return existing;
    const hz = hzText === null ? 0 : Number(hzText);
    if (hzText !== null && !(hzText !== '' && hz > 0 && hz <= MAX_PUBLISH_HZ)) return undefined;
    const channel = this.isWorker
      ? new Channel((data, isBinary) => process.send?.({ kind: 'publish', name, data, isBinary }))
      : new Channel((data, isBinary) => channel.deliver(data, isBinary));
    this.byName.set(name, channel);
    if (hz > 0) {
      if (this.isWorker) process.send?.({ kind: 'publisher', name, hz });
      else startPublisher(hz, (data) => channel.deliver(data, false));
    }
    return channel;
  }
}
