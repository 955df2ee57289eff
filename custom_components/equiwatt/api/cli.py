"""The command line: `aioequiwatt status`, `history` and `watch`.

The token comes from `EQUIWATT_TOKEN`, else from a prompt (or one line of
standard input when it is not a terminal); it is never printed. The server is
Equiwatt's, or `EQUIWATT_API_URL`. Exit codes: 0 success (for `status`: an
Equivent is live), 1 `status` found no live Equivent, 2 an error (one line on
standard error), 130 interrupted. This module reads the command line and runs
it; `cli_token` reads the token, `cli_output` prints, `cli_watch` watches.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Final

import aiohttp

from . import __version__
from .cli_output import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, PROG, show_history, show_status, warn
from .cli_token import TOKEN_ENV, UsageError, read_token
from .cli_watch import watch
from .client import BASE_URL_ENV, DEFAULT_BASE_URL, EquiwattClient, base_url_from_env
from .errors import EquiwattError
from .schedule import PollSchedule, phase_for
from .watch import utcnow

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
    watch_command = commands.add_parser(
        "watch", help="print each start and end as it happens, until interrupted"
    )
    watch_command.add_argument(
        "--exec", metavar="COMMAND", dest="command_line", help="run COMMAND at each start and end"
    )
    watch_command.add_argument("--json", action="store_true", help="print one JSON object a line")
    watch_command.add_argument(
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


async def run(argv: Sequence[str] | None = None, *, clock: Callable[[], datetime] = utcnow) -> int:
    """Run the command line; return the exit code."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as err:  # --help, --version, or a usage error already printed
        return err.code if isinstance(err.code, int) else EXIT_ERROR
    try:
        token = read_token()
        async with aiohttp.ClientSession() as session:
            # One client, so its own gate keeps every call of the command within the limits.
            client = EquiwattClient(session, token, base_url=base_url_from_env())
            if args.command == "watch":
                schedule = PollSchedule(slow=args.slow, phase=phase_for(token))
                await watch(
                    client,
                    schedule,
                    as_json=args.json,
                    command_line=args.command_line,
                    clock=clock,
                )
                return EXIT_OK  # pragma: no cover - the watch ends by an error or a cancellation
            snapshot = await client.get_equivents()
    except (UsageError, EquiwattError) as err:
        warn(f"error: {err}")
        return EXIT_ERROR
    except (ValueError, OSError) as err:
        # Anything else that stops a command is still an error (2), never "not live".
        warn(f"error: {type(err).__name__}: {err}")
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
