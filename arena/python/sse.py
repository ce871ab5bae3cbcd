"""/sse: the seed's stream, data:0 … data:9 with a pause after each event, then the server
closes. /sse/ticks: stamped events publish_hz times a second (default 10), resuming after
Last-Event-ID; ?count=N ends the stream after N events."""

import asyncio

from aiohttp import web

from stamp import positive, stamped

SEED_EVENTS = 10
MAX_INTERVAL_MS = 3_600_000
MAX_PUBLISH_HZ = 100_000


async def start(request: web.Request, close: bool) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    if close:
        response.force_close()
    await response.prepare(request)
    return response


async def seed(request: web.Request) -> web.StreamResponse:
    interval_ms = positive(request.query.get("interval_ms"), 1000, MAX_INTERVAL_MS)
    if interval_ms is None:
        raise web.HTTPBadRequest(text="interval_ms must be a number of milliseconds > 0\n")
    response = await start(request, close=True)
    for i in range(SEED_EVENTS):
        await response.write(f"data:{i}\n\n".encode())
        await asyncio.sleep(interval_ms / 1000)
    await response.write_eof()
    return response


async def ticks(request: web.Request) -> web.StreamResponse:
    hz = positive(request.query.get("publish_hz"), 10, MAX_PUBLISH_HZ)
    count_text = request.query.get("count")
    if hz is None:
        raise web.HTTPBadRequest(text="publish_hz must be a number > 0\n")
    if count_text is not None and not count_text.isdigit():
        raise web.HTTPBadRequest(text="count must be a whole number\n")
    count = None if count_text is None else int(count_text)
    last_id = request.headers.get("Last-Event-ID", "").strip()
    first = int(last_id) + 1 if last_id.isdigit() else 0
    response = await start(request, close=False)
    loop = asyncio.get_running_loop()
    due = loop.time()
    seq = first
    while count is None or seq - first < count:
        due += 1 / hz
        await asyncio.sleep(max(0.0, due - loop.time()))
        await response.write(f"id:{seq}\ndata:{stamped(seq)}\n\n".encode())
        seq += 1
    await response.write_eof()
    return response
