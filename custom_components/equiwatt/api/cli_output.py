"""What the command line prints: lines for people, JSON and CSV, and its exit codes."""

from __future__ import annotations

import csv
from datetime import datetime
import json
import os
import sys
from typing import Any, Final

from .models import Equivent, EquiventsSnapshot, Transition

PROG: Final = "aioequiwatt"
EXIT_LIVE: Final = 0
EXIT_OK: Final = 0
EXIT_NOT_LIVE: Final = 1
EXIT_ERROR: Final = 2
EXIT_INTERRUPTED: Final = 130
LATEST_SHOWN: Final = 5


def equivent_json(equivent: Equivent) -> dict[str, Any]:
    """Return an Equivent as JSON-ready data: ISO 8601 times in UTC, minutes."""
    duration = equivent.duration
    return {
        **equivent.as_dict(),
        "duration_minutes": None if duration is None else round(duration.total_seconds() / 60),
    }


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M %Z")


def describe(equivent: Equivent) -> str:
    """Return one line for people, in local time."""
    if equivent.end is None:
        return f"{_local(equivent.start)}, end unknown"
    minutes = equivent_json(equivent)["duration_minutes"]
    return f"{_local(equivent.start)} to {_local(equivent.end)} ({minutes} min)"


def write(text: str) -> None:
    """Print a line on standard output, even to a reader that went away."""
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`| head -1`): the exit code still says what happened.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def warn(text: str) -> None:
    """Print a line on standard error, after the program's name."""
    sys.stderr.write(f"{PROG}: {text}\n")
    sys.stderr.flush()


def show_status(snapshot: EquiventsSnapshot, *, as_json: bool) -> int:
    """Print the live Equivent and the latest ones; return the exit code."""
    live = snapshot.live
    if as_json:
        write(
            json.dumps(
                {
                    "live": None if live is None else equivent_json(live),
                    "history": [equivent_json(e) for e in snapshot.history],
                    "fetched_at": snapshot.fetched_at.isoformat(),
                }
            )
        )
    else:
        if live is None:
            write("No Equivent is live.")
        else:
            planned = "" if live.end is None else f", planned end {_local(live.end)}"
            write(f"Equivent live since {_local(live.start)}{planned}.")
        if snapshot.history:
            write("Latest Equivents:")
            for equivent in snapshot.history[:LATEST_SHOWN]:
                write(f"  {describe(equivent)}")
    return EXIT_NOT_LIVE if live is None else EXIT_LIVE


def show_history(snapshot: EquiventsSnapshot, *, as_json: bool, as_csv: bool) -> int:
    """Print the finished Equivents, newest first."""
    rows = [equivent_json(e) for e in snapshot.history]
    if as_json:
        write(json.dumps(rows))
    elif as_csv:
        writer = csv.DictWriter(
            sys.stdout, ["start", "end", "duration_minutes"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.flush()
    elif not snapshot.history:
        write("No finished Equivent is known.")
    else:
        for equivent in snapshot.history:
            write(describe(equivent))
    return EXIT_OK


def show_transition(transition: Transition, *, as_json: bool) -> None:
    """Print a start or an end: `KIND START END` (`-` for an unknown end), or one JSON object."""
    equivent = transition.equivent
    if as_json:
        write(json.dumps({"event": transition.kind, **equivent_json(equivent)}))
    else:
        end = "-" if equivent.end is None else equivent.end.isoformat()
        write(f"{transition.kind} {equivent.start.isoformat()} {end}")
