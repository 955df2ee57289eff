"""A smoke test of the command line, as installed, against the simulator.

`python -m tests.lib.smoke` runs it with the `aioequiwatt` console script beside the
interpreter: scripts/test does so right after installing the wheel in an empty
virtual environment. tests/lib/test_cli.py runs it in every suite.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
import csv
import io
import json
import os
from pathlib import Path
import shutil
import sys
import time

from simulator import World
from tests.sim_server import serving

SMOKE_TOKEN = "eqw-smoke-token-51c0"
SOURCE_PACKAGE = "custom_components.equiwatt.api"


def cli_command() -> list[str]:
    """Return the installed console script, else the client folder run as a module."""
    script = shutil.which("aioequiwatt", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", SOURCE_PACKAGE]


async def run_cli(command: Sequence[str], *args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """Run the command line in a process; return its exit code, output and errors."""
    process = await asyncio.create_subprocess_exec(
        *command,
        *args,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def smoke(command: Sequence[str]) -> None:
    """`status` (not live, then live), `status --json` and `history --csv`, each in its own process."""
    world = World(clock=time.time, tokens={SMOKE_TOKEN})
    now = time.time()
    world.schedule(now - 7200, now - 3600)
    async with serving(world, webhook_loop=False) as url:
        env = {**os.environ, "EQUIWATT_API_URL": url, "EQUIWATT_TOKEN": f" Bearer {SMOKE_TOKEN}\n"}
        outputs: list[str] = []
        code, out, err = await run_cli(command, "status", env=env)
        outputs += [out, err]
        assert code == 1, (code, err)
        assert out.startswith("No Equivent is live."), out
        world.start_now()
        # Each process has its own gate: keep Equiwatt's 1 call a second between them.
        await asyncio.sleep(1.1)
        code, out, err = await run_cli(command, "status", "--json", env=env)
        outputs += [out, err]
        assert code == 0, (code, err)
        assert json.loads(out)["live"]["end"] is None
        await asyncio.sleep(1.1)
        code, out, err = await run_cli(command, "history", "--csv", env=env)
        outputs += [out, err]
        assert code == 0, (code, err)
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [row["duration_minutes"] for row in rows] == ["60"], out
    assert not any(SMOKE_TOKEN in text for text in outputs)
    assert world.rate_violations() == []


if __name__ == "__main__":
    asyncio.run(smoke(cli_command()))
    sys.stdout.write(f"CLI smoke test passed: {' '.join(cli_command())}\n")
