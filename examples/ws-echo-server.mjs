#!/usr/bin/env node
// The echo server a Node user writes first: the `ws` package's WebSocketServer with its
// defaults, every message sent back as it came. An example target for `rtbench compare
// --server`:
//   node examples/ws-echo-server.mjs --port 9001
import { WebSocketServer } from 'ws';

const i = process.argv.indexOf('--port');
const port = i >= 0 ? Number(process.argv[i + 1]) : 9001;
const wss = new WebSocketServer({ host: '127.0.0.1', port });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});
});
wss.on('listening', () => console.log(`ws echo server listening on 127.0.0.1:${port}`));
process.on('SIGTERM', () => wss.close(() => process.exit(0)));
