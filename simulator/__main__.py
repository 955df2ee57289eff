"""Run the Equiwatt simulator: `python -m simulator --help`."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
import sys
import time

from aiohttp import web

from .clock import ManualClock, RealClock
from .server import build_app
from .world import World

EPILOG = """\
control API (JSON over HTTP, no auth; for tests, benchmarks and people):
  GET    /_sim/state                 the schedule, the live Equivent, faults, webhooks
  GET    /_sim/meter                 the simulated home's grid meter  {"kwh": 1000.123}
  POST   /_sim/equivents/start       start one now     {"duration": seconds}  (optional)
  POST   /_sim/equivents/end         end the live one now
  PUT    /_sim/schedule              replace the schedule  [{"start_time": s, "end_time": s}, ...]
  POST   /_sim/faults                change faults, e.g. {"server_bug": true} {"status": 503, "html": true}
                                     {"malformed": "truncated"} {"delay": 30} {"status": 429, "retry_after": null}
                                     {"remaining": 3} (faults apply to 3 requests) {"webhooks": false}
  DELETE /_sim/faults                clear every fault
  GET    /_sim/log                   the request log (time, path, auth ok, status) and rate-limit violations
  POST   /_sim/tokens                {"add": ["t2"], "revoke": ["t1"]}
  POST   /_sim/webhooks              {"started": {"url": ..., "payload": ...}, "ended": {...}}; GET lists sends
  POST   /_sim/webhooks/demo         send a demo trigger   {"trigger": "started"}
  POST   /_sim/clock                 {"advance": seconds} or {"set": unix}  (with --manual-clock)

example:
  python -m simulator --token dev-token --port 8765 \\
      --webhook-started 'http://127.0.0.1:8123/api/webhook/ID?event=started' \\
      --webhook-ended 'http://127.0.0.1:8123/api/webhook/ID?event=ended'
  curl -X POST http://127.0.0.1:8765/_sim/equivents/start
"""


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="A local Equiwatt: GET /api/v3/equivents/ with bearer auth, "
        "Equiwatt's rate limits (1/s, 10/min per token), fault switches, and the "
        "webhook sender that POSTs at every Equivent start and end.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks one)")
    parser.add_argument(
        "--token",
        action="append",
        default=[],
        help="a valid bearer token (repeatable; default dev-token)",
    )
    parser.add_argument(
        "--schedule", type=Path, help='JSON file: [{"start_time": unix, "end_time": unix}, ...]'
    )
    parser.add_argument("--webhook-started", metavar="URL", help="POSTed when an Equivent starts")
    parser.add_argument("--webhook-ended", metavar="URL", help="POSTed when an Equivent ends")
    parser.add_argument("--payload", help="body of the webhook POSTs (default: none)")
    parser.add_argument(
        "--server-bug", action="store_true", help="report the live Equivent the buggy way"
    )
    parser.add_argument(
        "--manual-clock",
        type=float,
        metavar="UNIX",
        help="start a clock that only moves through POST /_sim/clock",
    )
    parser.add_argument("--quiet", action="store_true", help="log only warnings")
    return parser.parse_args(argv)


def build_world(args: argparse.Namespace) -> World:
    """Make the simulated account the command line describes."""
    clock = RealClock() if args.manual_clock is None else ManualClock(args.manual_clock)
    world = World(clock=clock, tokens=set(args.token or ["dev-token"]))
    world.faults.server_bug = args.server_bug
    if args.schedule is not None:
        for event in json.loads(args.schedule.read_text(encoding="utf-8")):
            world.schedule(float(event["start_time"]), float(event["end_time"]))
    for trigger, url in (("started", args.webhook_started), ("ended", args.webhook_ended)):
        if url:
            world.webhook_targets[trigger] = {"url": url, "payload": args.payload}
    return world


def main(argv: list[str] | None = None) -> None:
    """Serve until interrupted."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s simulator %(levelname)s %(message)s",
    )
    world = build_world(args)
    logging.getLogger(__package__).info(
        "Equiwatt simulator at %s, %d token(s), %d scheduled Equivent(s), started %s",
        f"http://{args.host}:{args.port}",
        len(world.tokens),
        len(world.equivents),
        time.strftime("%H:%M:%S"),
    )
    web.run_app(build_app(world), host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
