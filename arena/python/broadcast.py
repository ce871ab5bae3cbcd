"""/broadcast: every client message goes to every socket of its channel, the sender included,
by the aiohttp docs' idiom (a set of sockets and a send loop). ?publish_hz=H joins a channel
that a server task feeds with stamped messages H times a second, from its first subscriber on."""

import asyncio

from aiohttp import web

from stamp import positive, stamped

MAX_PUBLISH_HZ = 100_000

# Channels by name: "" for the clients' own, the publish_hz text for a published one.
channels: dict[str, set[web.WebSocketResponse]] = {}
publishers: dict[str, asyncio.Task] = {}


async def send_all(sockets: set[web.WebSocketResponse], data: str | bytes) -> None:
    for ws in list(sockets):
        if ws.closed:
            continue
        try:
            await (ws.send_str(data) if isinstance(data, str) else ws.send_bytes(data))
        except ConnectionError:
            sockets.discard(ws)


async def publish(sockets: set[web.WebSocketResponse], hz: float) -> None:
    loop = asyncio.get_running_loop()
    period = 1 / hz
    due = loop.time()
    seq = 0
    while True:
        due += period
        await asyncio.sleep(max(0.0, due - loop.time()))
        await send_all(sockets, stamped(seq))
        seq += 1


async def handler(request: web.Request) -> web.StreamResponse:
    name = request.query.get("publish_hz")
    hz = 0.0
    if name is not None:
        hz = positive(name, 0, MAX_PUBLISH_HZ)
        if hz is None:
            raise web.HTTPBadRequest(text="publish_hz must be a number > 0\n")
    sockets = channels.setdefault(name or "", set())
    if hz and name not in publishers:
        publishers[name] = asyncio.create_task(publish(sockets, hz))
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    sockets.add(ws)
    try:
        async for msg in ws:
            if msg.type in (web.WSMsgType.TEXT, web.WSMsgType.BINARY):
                await send_all(sockets, msg.data)
    finally:
        sockets.discard(ws)
    return ws
