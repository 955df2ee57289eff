"""scripts/develop: a real Home Assistant with Equiwatt against the simulator, until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from pathlib import Path
import signal
import time

from .home import latest_saving
from .stack import DEV_TOKEN, REPO, Stack, keep_webhooks_wired, loud_task, running_stack

BANNER = """
Equiwatt development instance is up ({elapsed:.0f} s).

  Home Assistant   {ha}   (log in as dev / equiwatt)
  Equiwatt device  {ha}/config/integrations/integration/equiwatt
  Simulator        {sim}   (python -m simulator --help lists its control API)
  Simulator token  {token}   (paste it when you add Equiwatt again)
  Simulated meter  sensor.simulated_grid_import, chosen for the saving per Equivent,
                   with 5 weeks of history and a fortnight of past Equivents
                   (the latest: {saving});
                   a new one's usage counts from its first half-hour after this start
  Setback          climate.simulated_living_room (a generic thermostat at 20 °C) and
                   switch.simulated_plug, chosen for the setback: watch them during one

  Start an Equivent:  curl -X POST {sim}/_sim/equivents/start
  End it:             curl -X POST {sim}/_sim/equivents/end
  Webhooks off:       curl -X POST {sim}/_sim/faults -d '{{"webhooks": false}}'
  Server bug on:      curl -X POST {sim}/_sim/faults -d '{{"server_bug": true}}'

The simulator's webhooks follow the Equiwatt entry if you remove and add it again.
Home Assistant's log: {log}
Press Ctrl-C to stop everything.
"""


async def _report_rewiring(stack: Stack) -> None:
    async for message in keep_webhooks_wired(stack):
        print(message, flush=True)


async def main(args: argparse.Namespace) -> None:
    """Run until interrupted."""
    started = time.monotonic()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running_stack(
        Path(args.config),
        args.port,
        args.simulator_port,
        default_config=True,
        simulated_meter=True,
    ) as stack:
        print(
            BANNER.format(
                elapsed=time.monotonic() - started,
                ha=stack.rest.base_url,
                sim=stack.simulator_url,
                token=DEV_TOKEN,
                saving=await latest_saving(stack.rest),
                log=Path(args.config) / "home-assistant.log",
            ),
            flush=True,
        )
        if args.check:
            return
        waiter = asyncio.ensure_future(stack.process.wait())
        stopper = asyncio.ensure_future(stop.wait())
        rewirer = loud_task(_report_rewiring(stack), "Following the Equiwatt entry")
        await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        for task in (waiter, stopper, rewirer):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        print("Stopping Home Assistant and the simulator...", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="scripts/develop")
    parser.add_argument(
        "--config", default=str(REPO / "config"), help="config dir (default ./config)"
    )
    parser.add_argument("--port", type=int, default=8123, help="Home Assistant's port (8123)")
    parser.add_argument(
        "--simulator-port", type=int, default=8765, help="the simulator's port (8765)"
    )
    parser.add_argument("--check", action="store_true", help="start, set up, print, and stop again")
    asyncio.run(main(parser.parse_args()))
