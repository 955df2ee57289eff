"""Start the simulator and a real Home Assistant with the integration, wired together."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Mapping
import contextlib
from dataclasses import dataclass
import os
from pathlib import Path
import signal
import sys
import traceback
from typing import Any

import aiohttp
from aiohttp import web

from simulator import RealClock, World, build_app
from simulator.server import METER

from .home import SIMULATED_OPTIONS, add_past_equivents, feed_meter, use_simulated_meter
from .homeassistant_rest import HomeAssistantError, HomeAssistantRest

REPO = Path(__file__).resolve().parent.parent
DEV_TOKEN = "dev-token-0000"  # noqa: S105 - the simulator's token, not a real one
# The integration's switch that lets a URL on this machine count as reachable from the
# internet (custom_components/equiwatt/const.py, ALLOW_LOCAL_URL_ENV): here the simulator
# on this machine plays Equiwatt's servers.
ALLOW_LOCAL_URL = "EQUIWATT_ALLOW_LOCAL_URL"
# The files a default install includes for what the automation, script and scene
# editors save, with the content Home Assistant gives them.
EDITOR_FILES = {"automations.yaml": "[]", "scripts.yaml": "", "scenes.yaml": ""}


@dataclass
class Stack:
    """A running simulator and Home Assistant, logged in and with Equiwatt set up."""

    world: World
    simulator_url: str
    rest: HomeAssistantRest
    entry_id: str
    webhook_urls: dict[str, str]
    process: asyncio.subprocess.Process
    log_path: Path
    simulated_meter: bool = False


def prepare_config(config_dir: Path, *, default_config: bool = False) -> None:
    """Give a config dir our configuration.yaml (if it has none) and link the integration.

    Without `default_config` (history, logbook, ...) Home Assistant starts faster and
    lighter, as the end-to-end test and the benchmarks want.
    """
    config_dir.mkdir(parents=True, exist_ok=True)
    configuration = config_dir / "configuration.yaml"
    if not configuration.exists():
        text = (REPO / "config" / "configuration.yaml").read_text(encoding="utf-8")
        if not default_config:
            lines = text.splitlines(keepends=True)
            text = "".join(line for line in lines if not line.startswith("default_config:"))
        configuration.write_text(text, encoding="utf-8")
    for name, content in EDITOR_FILES.items():
        if not (config_dir / name).exists():
            (config_dir / name).write_text(content, encoding="utf-8")
    components = config_dir / "custom_components"
    components.mkdir(exist_ok=True)
    link = components / "equiwatt"
    if not link.exists():
        link.symlink_to(REPO / "custom_components" / "equiwatt", target_is_directory=True)
    link_blueprints(config_dir / "blueprints" / "automation" / "equiwatt")


def link_blueprints(ours: Path) -> None:
    """Link each of our blueprint files into a config dir's blueprint folder.

    Files, not the folder: Home Assistant lists blueprints with `Path.glob("**/*.yaml")`,
    which does not enter a linked folder on Python 3.13 and later. Links to files that
    are gone (a retired blueprint) are removed.
    """
    if ours.is_symlink():
        ours.unlink()  # a folder link, as earlier versions of this script made
    ours.mkdir(parents=True, exist_ok=True)
    for stale in ours.iterdir():
        if stale.is_symlink() and not stale.exists():
            stale.unlink()
    for source in sorted((REPO / "blueprints" / "automation" / "equiwatt").glob("*.yaml")):
        if not (link := ours / source.name).exists():
            link.symlink_to(source)


def loud_task(coroutine: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
    """Run a background task whose failure is reported the moment it happens."""
    task = asyncio.create_task(coroutine, name=name)
    task.add_done_callback(_report_failure)
    return task


def _report_failure(task: asyncio.Task[None]) -> None:
    if task.cancelled() or (error := task.exception()) is None:
        return
    trace = "".join(traceback.format_exception(error))
    print(f"\n{task.get_name()} stopped with an error:\n{trace}", file=sys.stderr, flush=True)


async def start_simulator(world: World, port: int) -> tuple[web.AppRunner, str]:
    """Serve the simulator on 127.0.0.1."""
    runner = web.AppRunner(build_app(world), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


def wire_webhooks(world: World, urls: Mapping[str, str]) -> None:
    """Point the simulator's webhook triggers at an entry's URLs (none: no calls)."""
    world.webhook_targets = {
        kind: {"url": urls[f"{kind}_url"], "payload": None}
        for kind in ("started", "ended")
        if f"{kind}_url" in urls
    }


async def keep_webhooks_wired(stack: Stack, interval: float = 3.0) -> AsyncIterator[str]:
    """Follow the Equiwatt entry as the user removes and adds it; say each time it changes.

    A new entry has a new webhook id, exactly as the Equiwatt app would need new URLs;
    with the simulated meter, it is chosen for the new entry's saving too.
    """
    while True:
        await asyncio.sleep(interval)
        try:
            entries = await stack.rest.equiwatt_entries()
            entry_id = entries[0]["entry_id"] if entries else ""
            if entry_id == stack.entry_id:
                continue
            urls = await stack.rest.webhook_urls(entry_id) if entry_id else {}
            if entry_id and stack.simulated_meter:
                await stack.rest.set_options(entry_id, SIMULATED_OPTIONS)
        except aiohttp.ClientError, HomeAssistantError:
            continue  # Home Assistant is restarting or the entry is mid-change
        stack.entry_id, stack.webhook_urls = entry_id, urls
        wire_webhooks(stack.world, urls)
        yield (
            f"Re-wired the simulator's webhooks to entry {entry_id}"
            if urls
            else "No Equiwatt entry (or no URL for it): the simulator sends no webhooks"
        )


@contextlib.asynccontextmanager
async def running_stack(
    config_dir: Path,
    ha_port: int,
    sim_port: int,
    *,
    up_timeout: float = 600,
    default_config: bool = False,
    simulated_meter: bool = False,
) -> AsyncIterator[Stack]:
    """Run the whole stack; stop Home Assistant cleanly on the way out.

    With `simulated_meter`, the account has past Equivents and the simulator's meter,
    with its history, feeds Home Assistant and is chosen for the saving per Equivent.
    """
    prepare_config(config_dir, default_config=default_config)
    world = World(clock=RealClock(), tokens={DEV_TOKEN})
    if simulated_meter:
        add_past_equivents(world)
    runner, simulator_url = await start_simulator(world, sim_port)
    base_url = f"http://127.0.0.1:{ha_port}"
    env = {
        **os.environ,
        "EQUIWATT_API_URL": simulator_url,
        "EQUIWATT_EXTERNAL_URL": base_url,
        ALLOW_LOCAL_URL: "1",
        "SETUP_PORT": str(ha_port),
    }
    log_path = config_dir / "hass.log"
    hass_bin = Path(sys.executable).with_name("hass")
    with log_path.open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            str(hass_bin),
            "-c",
            str(config_dir),
            "--log-file",
            str(config_dir / "home-assistant.log"),
            env=env,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        async with aiohttp.ClientSession() as session:
            rest = HomeAssistantRest(session, base_url)
            await rest.wait_until_up(up_timeout)
            await rest.login()
            entries = await rest.equiwatt_entries()
            if entries:
                entry_id = entries[0]["entry_id"]
            else:
                entry_id = (await rest.add_equiwatt(DEV_TOKEN))["result"]["entry_id"]
            urls = await rest.webhook_urls(entry_id)
            wire_webhooks(world, urls)
            feeder = None
            if simulated_meter:
                meter = runner.app[METER]
                await use_simulated_meter(rest, entry_id, meter, config_dir)
                feeder = loud_task(feed_meter(rest, meter), "The simulated meter")
            try:
                yield Stack(
                    world, simulator_url, rest, entry_id, urls, process, log_path, simulated_meter
                )
            finally:
                if feeder is not None:
                    feeder.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await feeder
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 60)
            except TimeoutError:
                process.kill()
                await process.wait()
        await runner.cleanup()
