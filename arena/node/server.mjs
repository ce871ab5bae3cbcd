#!/usr/bin/env node
/**
 * The arena's Node server (arena/README.md has the contract): `ws` on `node:http`, bound to
 * 127.0.0.1 on `--port P`, one process by default (the seed's single-threaded Node).
 * `--cluster N` runs N workers on the same port through node:cluster; the primary relays
 * broadcasts between them and runs the server publishers.
 */
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';
import { Channels } from './channels.mjs';
import { startPrimary } from './primary.mjs';
import { serveSeed, serveTicks } from './sse.mjs';

const { values } = parseArgs({ options: { port: { type: 'string', default: '60000' }, cluster: { type: 'string', default: '0' } } });
const port = Number(values.port);
const workers = Number(values.cluster);
if (!Number.isInteger(port) || port < 0 || port > 65535 || !Number.isInteger(workers) || workers < 0) {
  console.error('usage: server.mjs --port P [--cluster N]');
  process.exit(2);
}

if (workers > 0 && cluster.isPrimary) startPrimary(workers, port);
else serve();

function serve() {
  const channels = new Channels(cluster.isWorker);
  // No compression (ws's server default), as most servers measured here.
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET') return void res.writeHead(405).end();
    if (url.pathname === '/sse') return serveSeed(url, res);
    if (url.pathname === '/sse/ticks') return serveTicks(url, req, res);
    res.writeHead(404).end();
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/websocket') return wss.handleUpgrade(req, socket, head, echo);
    if (url.pathname === '/broadcast') {
      const channel = channels.forQuery(url.searchParams.get('publish_hz'));
      if (!channel) return void socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\npublish_hz must be a number > 0\n');
      return wss.handleUpgrade(req, socket, head, (ws) => channel.join(ws));
    }
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  server.listen(port, '127.0.0.1', () => {
    // Workers share the primary's listener; the primary prints the ready line once all listen.
    if (cluster.isWorker) process.send?.({ kind: 'listening' });
    else console.log(`listening on 127.0.0.1:${port}`);
  });
}

/** /websocket: every message back as it came, text or binary. */
function echo(ws) {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
}
