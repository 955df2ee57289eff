"""Serving the simulator on loopback; needs nothing but aiohttp (the wheel's tests use it too)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from simulator import World, build_app


async def start_simulator(world: World, *, webhook_loop: bool = True) -> tuple[web.AppRunner, str]:
    """Serve the simulator on a free loopback port."""
    runner = web.AppRunner(build_app(world, webhook_loop=webhook_loop), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


@asynccontextmanager
async def serving(world: World, *, webhook_loop: bool = True) -> AsyncIterator[str]:
    """Serve the simulator for the duration of a block; give its URL."""
    runner, url = await start_simulator(world, webhook_loop=webhook_loop)
    try:
        yield url
    finally:
        await runner.cleanup()
