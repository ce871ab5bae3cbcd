"""The arena's Python server (arena/README.md has the contract): aiohttp on asyncio, bound to
127.0.0.1 on --port P, printing one ready line once it listens."""

import argparse
import asyncio

from aiohttp import web

import broadcast
import sse


async def echo(request: web.Request) -> web.WebSocketResponse:
    """/websocket: every message back as it came, text or binary."""
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == web.WSMsgType.TEXT:
            await ws.send_str(msg.data)
        elif msg.type == web.WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
    return ws


async def main(port: int) -> None:
    app = web.Application()
    app.router.add_get("/websocket", echo)
    app.router.add_get("/broadcast", broadcast.handler)
    app.router.add_get("/sse", sse.seed)
    app.router.add_get("/sse/ticks", sse.ticks)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    # The site listens already, so the ready line is true when printed.
    print(f"listening on 127.0.0.1:{port}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="arena aiohttp server")
    parser.add_argument("--port", type=int, default=60000)
    try:
        asyncio.run(main(parser.parse_args().port))
    except KeyboardInterrupt:
        pass
