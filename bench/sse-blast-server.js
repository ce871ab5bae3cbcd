// A server that costs (almost) nothing per event, for the bulk part of bench/sse-clients.js:
// each GET gets a chunked text/event-stream body of <events> stamped events prepared once,
// written in a few large writes, then the last chunk. The client's parsing is what is timed.
//   node bench/sse-blast-server.js <events>      prints "port <n>" when listening
import { createServer } from 'node:http';

const events = Number(process.argv[2] ?? '20000');
// Stamped like /sse/ticks so every client does the same work per event; t is a fixed value
// (the bulk test does not measure delay).
const body = Buffer.from(Array.from({ length: events }, (_, i) => `id: ${i}\ndata: {"seq":${i},"t":"0"}\n\n`).join(''));
const PIECE = 64 * 1024;

const server = createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  let off = 0;
  const write = () => {
    while (off < body.length) {
      const ok = res.write(body.subarray(off, off + PIECE));
      off += PIECE;
      if (!ok) return void res.once('drain', write);
    }
    res.end();
  };
  write();
});
server.listen(0, '127.0.0.1', () =>
  process.stdout.write(`port ${/** @type {import('node:net').AddressInfo} */ (server.address()).port}\n`),
);
process.on('SIGTERM', () => process.exit(0));
