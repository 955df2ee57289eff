"""The command line: `aioequiwatt status`, `history` and `watch`.

The token comes from `EQUIWATT_TOKEN`, else from a prompt (or one line of
standard input when it is not a terminal); it is never printed. The server is
Equiwatt's, or `EQUIWATT_API_URL`. Exit codes: 0 success (for `status`: an
Equivent is live), 1 `status` found no live Equivent, 2 an error (one line on
standard error), 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Sequence
import csv
from datetime import datetime
import getpass
import json
import os
import sys
from typing import Any, Final

import aiohttp

from . import __version__
from .client import BASE_URL_ENV, DEFAULT_BASE_URL, EquiwattClient, normalize_token
from .errors import EquiwattError
from .models import Equivent, EquiventsSnapshot, Transition
from .rate_limit import TokenGate
from .schedule import PollSchedule, phase_for
from .watch import utcnow, watch_equivents

PROG: Final = "aioequiwatt"
TOKEN_ENV: Final = "EQUIWATT_TOKEN"
EXIT_LIVE: Final = 0
EXIT_OK: Final = 0
EXIT_NOT_LIVE: Final = 1
EXIT_ERROR: Final = 2
EXIT_INTERRUPTED: Final = 130
LATEST_SHOWN: Final = 5
MIN_SLOW: Final = 60.0
MAX_SLOW: Final = 3600.0

EPILOG = f"""\
environment:
  {TOKEN_ENV}    the Open API token (else it is asked for); never printed
  {BASE_URL_ENV}  another server than {DEFAULT_BASE_URL} (a simulator, say)

exit codes:
  0    success; for status: an Equivent is live
  1    status: no Equivent is live
  2    an error (token rejected, Equiwatt unreachable, bad answer, bad usage)
  130  interrupted

--exec runs its command through the shell at each start and end, with
EQUIWATT_EVENT (started or ended), EQUIWATT_START and EQUIWATT_END (ISO 8601,
UTC; EQUIWATT_END is empty when unknown) in its environment, and without
{TOKEN_ENV}. An Equivent already live when watch starts is reported as started.
"""


class UsageError(Exception):
    """Something the user must fix before anything is sent."""


def build_parser() -> argparse.ArgumentParser:
    """Describe the command line."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Read Equiwatt's Equivents: the live one, the latest ones, and each "
        "start and end as it happens.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    status = commands.add_parser(
        "status", help="is an Equivent live? (exit 0 if so, 1 if not) and the latest ones"
    )
    status.add_argument("--json", action="store_true", help="print JSON")
    history = commands.add_parser("history", help="the latest finished Equivents")
    form = history.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print JSON")
    form.add_argument("--csv", action="store_true", help="print CSV: start,end,duration_minutes")
    watch = commands.add_parser(
        "watch", help="print each start and end as it happens, until interrupted"
    )
    watch.add_argument(
        "--exec", metavar="COMMAND", dest="command_line", help="run COMMAND at each start and end"
    )
    watch.add_argument("--json", action="store_true", help="print one JSON object a line")
    watch.add_argument(
        "--slow",
        type=_slow_interval,
        default=PollSchedule().slow,
        metavar="SECONDS",
        help=f"poll interval away from the half hours (default %(default).0f, {MIN_SLOW:.0f} to {MAX_SLOW:.0f})",
    )
    return parser


def _slow_interval(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not MIN_SLOW <= seconds <= MAX_SLOW:
        raise argparse.ArgumentTypeError(f"must be from {MIN_SLOW:.0f} to {MAX_SLOW:.0f} seconds")
    return seconds


def read_token() -> str:
    """Return the normalised token from the environment, a prompt or standard input."""
    raw = os.environ.get(TOKEN_ENV)
    if raw is None:
        try:
            if sys.stdin.isatty():
                raw = getpass.getpass("Equiwatt API token: ")
            else:
                raw = sys.stdin.readline()
        except EOFError:
            raw = ""
    token = normalize_token(raw)
    if not token:
        raise UsageError(f"no token: set {TOKEN_ENV} or type it when asked")
    if not token.isprintable():
        raise UsageError("the token has control characters in it: copy it again")
    return token


def equivent_json(equivent: Equivent) -> dict[str, Any]:
    """Return an Equivent as JSON-ready data: ISO 8601 times in UTC, minutes."""
    duration = equivent.duration
    return {
        "start": equivent.start.isoformat(),
        "end": None if equivent.end is None else equivent.end.isoformat(),
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


def _write(text: str) -> None:
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`| head -1`): the exit code still says what happened.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _warn(text: str) -> None:
    sys.stderr.write(f"{PROG}: {text}\n")
    sys.stderr.flush()


def show_status(snapshot: EquiventsSnapshot, *, as_json: bool) -> int:
    """Print the live Equivent and the latest ones; return the exit code."""
    live = snapshot.live
    if as_json:
        _write(
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
            _write("No Equivent is live.")
        else:
            planned = "" if live.end is None else f", planned end {_local(live.end)}"
            _write(f"Equivent live since {_local(live.start)}{planned}.")
        if snapshot.history:
            _write("Latest Equivents:")
            for equivent in snapshot.history[:LATEST_SHOWN]:
                _write(f"  {describe(equivent)}")
    return EXIT_NOT_LIVE if live is None else EXIT_LIVE


def show_history(snapshot: EquiventsSnapshot, *, as_json: bool, as_csv: bool) -> int:
    """Print the finished Equivents, newest first."""
    rows = [equivent_json(e) for e in snapshot.history]
    if as_json:
        _write(json.dumps(rows))
    elif as_csv:
        writer = csv.DictWriter(
            sys.stdout, ["start", "end", "duration_minutes"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.flush()
    elif not snapshot.history:
        _write("No finished Equivent is known.")
    else:
        for equivent in snapshot.history:
            _write(describe(equivent))
    return EXIT_OK


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
        _warn(f"could not run the --exec command: {err}")
        return
    if code:
        _warn(f"the --exec command exited with {code} ({transition.kind})")


async def watch(
    client: EquiwattClient,
    args: argparse.Namespace,
    token: str,
    clock: Callable[[], datetime],
) -> int:
    """Print (and run `--exec` for) each start and end until cancelled."""
    last_error: list[str] = []
    commands: set[asyncio.Task[None]] = set()

    async def on_transition(transition: Transition) -> None:
        if args.json:
            _write(json.dumps({"event": transition.kind, **equivent_json(transition.equivent)}))
        else:
            equivent = transition.equivent
            end = "-" if equivent.end is None else equivent.end.isoformat()
            _write(f"{transition.kind} {equivent.start.isoformat()} {end}")
        if args.command_line:
            # Not awaited: a slow command must not stop the polling.
            task = asyncio.create_task(run_command(args.command_line, transition))
            commands.add(task)
            task.add_done_callback(commands.discard)

    def on_error(err: EquiwattError) -> None:
        # Say it once, not at every poll while it lasts.
        if last_error != [str(err)]:
            last_error[:] = [str(err)]
            _warn(f"warning: {err}; still watching")

    def on_read() -> None:
        last_error.clear()  # the next outage is reported again

    schedule = PollSchedule(slow=args.slow, phase=phase_for(token))
    await watch_equivents(
        client,
        on_transition,
        schedule=schedule,
        on_error=on_error,
        on_read=on_read,
        clock=clock,
    )
    return EXIT_OK  # pragma: no cover - the watch ends by an error or a cancellation


async def run(argv: Sequence[str] | None = None, *, clock: Callable[[], datetime] = utcnow) -> int:
    """Run the command line; return the exit code."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as err:  # --help, --version, or a usage error already printed
        return err.code if isinstance(err.code, int) else EXIT_ERROR
    try:
        token = read_token()
        async with aiohttp.ClientSession() as session:
            # One gate for this process's token: every call of the command goes through it.
            client = EquiwattClient(
                session,
                token,
                base_url=os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL,
                gate=TokenGate(),
            )
            if args.command == "watch":
                return await watch(client, args, token, clock)
            snapshot = await client.get_equivents()
    except (UsageError, EquiwattError) as err:
        _warn(f"error: {err}")
        return EXIT_ERROR
    except (ValueError, OSError) as err:
        # Anything else that stops a command is still an error (2), never "not live".
        _warn(f"error: {type(err).__name__}: {err}")
        return EXIT_ERROR
    if args.command == "status":
        return show_status(snapshot, as_json=args.json)
    return show_history(snapshot, as_json=args.json, as_csv=args.csv)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `aioequiwatt` console script and `python -m aioequiwatt`."""
    try:
        return asyncio.run(run(argv))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
