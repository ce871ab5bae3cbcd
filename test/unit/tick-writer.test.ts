/**
 * TickBatchedWriter on a real loopback socket: a tick's first frame leaves at once (nothing to
 * batch at one message in flight), the rest of the tick's frames are corked and leave together
 * when the tick ends, in order; sockets are independent.
 */
import { createConnection, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TickBatchedWriter } from '../../dist/wire/tick-writer.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A connected client socket and everything its peer receives. */
async function connectedPair(): Promise<{ client: Socket; received: () => string }> {
  let text = '';
  const server = createServer((peer) => peer.on('data', (d) => (text += d.toString())));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const client = createConnection(port, '127.0.0.1');
  await new Promise<void>((r) => client.once('connect', () => r()));
  cleanups.push(() => {
    client.destroy();
    server.close();
  });
  return { client, received: () => text };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
}

describe('TickBatchedWriter', () => {
  it('writes a tick’s first frame straight away and corks the rest until the tick ends', async () => {
    const { client, received } = await connectedPair();
    const writer = new TickBatchedWriter(client);
    writer.write(Buffer.from('a'));
    // Straight to the kernel: nothing corked, nothing left in the stream's buffer.
    expect(client.writableCorked).toBe(0);
    expect(client.writableLength).toBe(0);
    writer.write(Buffer.from('b'));
    writer.write(Buffer.from('c'));
    expect(client.writableCorked).toBe(1);
    expect(client.writableLength).toBe(2);
    await new Promise((r) => process.nextTick(r));
    expect(client.writableCorked).toBe(0);
    await until(() => received().length === 3);
    expect(received()).toBe('abc');
  });

  it('starts a new tick after each tick end, per socket', async () => {
    const one = await connectedPair();
    const two = await connectedPair();
    const w1 = new TickBatchedWriter(one.client);
    const w2 = new TickBatchedWriter(two.client);
    for (let tick = 0; tick < 3; tick++) {
      w1.write(Buffer.from(String(tick)));
      w2.write(Buffer.from(String(tick)));
      // Each socket's first write of the tick: neither is corked by the other's.
      expect(one.client.writableCorked + two.client.writableCorked).toBe(0);
      w2.write(Buffer.from('+'));
      expect(two.client.writableCorked).toBe(1);
      await new Promise((r) => setImmediate(r));
    }
    await until(() => one.received().length === 3 && two.received().length === 6);
    expect(one.received()).toBe('012');
    expect(two.received()).toBe('0+1+2+');
  });

  it('writes a header and payload pair in one go when first, and corks it behind earlier frames', async () => {
    const { client, received } = await connectedPair();
    const writer = new TickBatchedWriter(client);
    writer.writePair(Buffer.from('H'), Buffer.from('body'));
    expect(client.writableCorked).toBe(0);
    expect(client.writableLength).toBe(0);
    writer.writePair(Buffer.from('h'), Buffer.from('2'));
    expect(client.writableCorked).toBe(1);
    await new Promise((r) => process.nextTick(r));
    await until(() => received().length === 7);
    expect(received()).toBe('Hbodyh2');
  });

  it('lets a socket destroyed while corked go at the tick end', async () => {
    const { client } = await connectedPair();
    const writer = new TickBatchedWriter(client);
    writer.write(Buffer.from('a'));
    writer.write(Buffer.from('b'));
    client.destroy();
    await new Promise((r) => process.nextTick(r));
    expect(client.destroyed).toBe(true);
    // The next tick's writes start afresh: nothing left corked from the destroyed one.
    const other = await connectedPair();
    const next = new TickBatchedWriter(other.client);
    next.write(Buffer.from('c'));
    expect(other.client.writableCorked).toBe(0);
  });
});
