"""The command line's `watch`: print each start and end, and run `--exec`'s command at each."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
import os

from .cli_output import show_transition, warn
from .cli_token import TOKEN_ENV
from .client import EquiwattClient
from .errors import EquiwattError
from .models import Transition
from .schedule import PollSchedule
from .watch import watch_equivents


def transition_env(transition: Transition) -> dict[str, str]:
    """Return the variables a `--exec` command gets for a transition."""
    equivent = transition.equivent
    return {
        "EQUIWATT_EVENT": str(transition.kind),
        "EQUIWATT_START": equivent.start.isoformat(),
        "EQUIWATT_END": "" if equivent.end is None else equivent.end.isoformat(),
    }


async def run_command(command_line: str, transition: Transition) -> None:
    """Run `--exec`'s command for a transition and wait for it (the watch does not)."""
    env = {name: value for name, value in os.environ.items() if name != TOKEN_ENV}
    env.update(transition_env(transition))
    try:
        process = await asyncio.create_subprocess_shell(command_line, env=env)
        code = await process.wait()
    except OSError as err:
        warn(f"could not run the --exec command: {err}")
        return
    if code:
        warn(f"the --exec command exited with {code} ({transition.kind})")


async def watch(
    client: EquiwattClient,
    schedule: PollSchedule,
    *,
    as_json: bool,
    command_line: str | None,
    clock: Callable[[], datetime],
) -> None:
    """Print (and run `command_line` for) each start and end until cancelled."""
    last_error: list[str] = []
    commands: set[asyncio.Task[None]] = set()

    async def on_transition(transition: Transition) -> None:
        show_transition(transition, as_json=as_json)
        if command_line:
            # Not awaited: a slow command must not stop the polling.
            task = asyncio.create_task(run_command(command_line, transition))
            commands.add(task)
            task.add_done_callback(commands.discard)

    def on_error(err: EquiwattError) -> None:
        # Say it once, not at every poll while it lasts.
        if last_error != [str(err)]:
            last_error[:] = [str(err)]
            warn(f"warning: {err}; still watching")

    def on_read() -> None:
        last_error.clear()  # the next outage is reported again

    await watch_equivents(
        client,
        on_transition,
        schedule=schedule,
        on_error=on_error,
        on_read=on_read,
        clock=clock,
    )
