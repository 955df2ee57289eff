"""Cost of one Equiwatt entry: start-up time and memory of a real `hass`, against an empty one."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
import signal
import socket
import statistics
import sys
import time

import aiohttp
import pytest

from bench.conftest import record
from devtools.homeassistant_rest import HomeAssistantRest
from devtools.stack import DEV_TOKEN, prepare_config, start_simulator
from simulator import RealClock, World

RUNS = 3
pytestmark = pytest.mark.timeout(1200)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


async def _start_once(
    config_dir: Path, port: int, simulator_url: str, *, add_entry: bool = False
) -> tuple[float, float]:
    """Start hass on a config dir; return (seconds until RUNNING, RSS in MB once settled).

    A config dir keeps the port of its first start (Home Assistant stores it).
    """
    env = {
        **os.environ,
        "SETUP_PORT": str(port),
        "EQUIWATT_API_URL": simulator_url,
        "EQUIWATT_EXTERNAL_URL": f"http://127.0.0.1:{port}",
    }
    started = time.monotonic()
    with (config_dir / "hass.log").open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).with_name("hass")),
            "-c",
            str(config_dir),
            env=env,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
    try:
        async with aiohttp.ClientSession() as session:
            rest = HomeAssistantRest(session, f"http://127.0.0.1:{port}")
            await rest.wait_until_up(300)
            await rest.login()
            while (await rest.request("GET", "/api/config"))["state"] != "RUNNING":
                await asyncio.sleep(0.05)
            elapsed = time.monotonic() - started
            if add_entry:
                await rest.add_equiwatt(DEV_TOKEN)
            await asyncio.sleep(5)
            return elapsed, _rss_mb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 60)


async def test_entry_cost(socket_enabled: None, tmp_path: Path) -> None:
    """One onboarded instance, started 3 times without and 3 times with an Equiwatt entry."""
    instance, port = tmp_path / "instance", _free_port()
    prepare_config(instance)
    world = World(clock=RealClock(), tokens={DEV_TOKEN})
    runner, simulator_url = await start_simulator(world, 0)
    try:
        await _start_once(instance, port, simulator_url)  # onboarding happens here
        empty_times, empty_rss, entry_times, entry_rss = [], [], [], []
        for _ in range(RUNS):
            seconds, rss = await _start_once(instance, port, simulator_url)
            empty_times.append(seconds)
            empty_rss.append(rss)
        await _start_once(instance, port, simulator_url, add_entry=True)
        for _ in range(RUNS):
            seconds, rss = await _start_once(instance, port, simulator_url)
            entry_times.append(seconds)
            entry_rss.append(rss)
    finally:
        await runner.cleanup()
    empty_s, entry_s = statistics.median(empty_times), statistics.median(entry_times)
    empty_mb, entry_mb = statistics.median(empty_rss), statistics.median(entry_rss)
    record(
        "cost",
        {
            "what": f"median of {RUNS} starts of a real hass until RUNNING, and its RSS 5 s later",
            "empty_start_s": round(empty_s, 2),
            "with_entry_start_s": round(entry_s, 2),
            "start_ratio": round(entry_s / empty_s, 3),
            "empty_rss_mb": round(empty_mb, 1),
            "with_entry_rss_mb": round(entry_mb, 1),
            "rss_ratio": round(entry_mb / empty_mb, 3),
            "raw": {
                "empty_s": [round(v, 2) for v in empty_times],
                "entry_s": [round(v, 2) for v in entry_times],
                "empty_mb": [round(v, 1) for v in empty_rss],
                "entry_mb": [round(v, 1) for v in entry_rss],
            },
        },
    )
