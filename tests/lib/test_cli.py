"""The command line in process (`run`), over real HTTP against the simulator."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
import csv
from datetime import UTC, datetime
import io
import json
import runpy
import sys

from aioequiwatt import (
    Equivent,
    Transition,
    TransitionKind,
    __version__,
    cli,
    cli_output,
    cli_watch,
)
import pytest

from tests.lib.conftest import TOKEN, LibSimulator, assert_within_limits
from tests.lib.smoke import cli_command, smoke

START = datetime(2026, 11, 19, 17, 31, 2, tzinfo=UTC).timestamp()


async def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command line in process; its output never holds the token."""
    code = await cli.run(list(argv))
    out, err = capsys.readouterr()
    assert TOKEN not in out
    assert TOKEN not in err
    return code, out, err


def one_error_line(err: str) -> str:
    """Return the only line on standard error, checking it is no traceback."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


async def test_status_exit_codes(lib_sim: LibSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    """Exit 1 with no live Equivent, 0 while one is live; the latest ones are listed."""
    lib_sim.world.schedule(START, START + 3540)
    code, out, err = await run_cli(capsys, "status")
    assert (code, err) == (1, "")
    assert out.splitlines()[0] == "No Equivent is live."
    assert out.splitlines()[1] == "Latest Equivents:"
    assert out.splitlines()[2].endswith("(59 min)")
    lib_sim.world.start_now()
    await asyncio.sleep(1.2)  # past Equiwatt's spacing: each run has a gate of its own
    code, out, err = await run_cli(capsys, "status")
    assert (code, err) == (0, "")
    assert out.startswith("Equivent live since ")
    assert_within_limits(lib_sim.world)


async def test_status_json(lib_sim: LibSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    """`--json` gives the live Equivent, the history and the time of the read."""
    lib_sim.world.schedule(START, START + 3540)
    lib_sim.world.faults.server_bug = True  # the live one in the history, with no end
    lib_sim.world.start_now(duration=3600)
    code, out, _ = await run_cli(capsys, "status", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["live"]["end"] is None
    assert data["history"] == [
        {
            "start": "2026-11-19T17:31:02+00:00",
            "end": "2026-11-19T18:30:02+00:00",
            "duration_minutes": 59,
        }
    ]
    assert datetime.fromisoformat(data["fetched_at"]).tzinfo is not None


@pytest.mark.parametrize("form", ["--csv", "--json", None])
async def test_history(
    lib_sim: LibSimulator, capsys: pytest.CaptureFixture[str], form: str | None
) -> None:
    """History as CSV, JSON or text, newest first; a live Equivent is not history."""
    lib_sim.world.schedule(START, START + 3540)
    lib_sim.world.schedule(START + 86400, START + 86400 + 3600)
    lib_sim.world.start_now()
    code, out, err = await run_cli(capsys, "history", *([form] if form else []))
    assert (code, err) == (0, "")
    if form == "--csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [(r["start"], r["end"], r["duration_minutes"]) for r in rows] == [
            ("2026-11-20T17:31:02+00:00", "2026-11-20T18:31:02+00:00", "60"),
            ("2026-11-19T17:31:02+00:00", "2026-11-19T18:30:02+00:00", "59"),
        ]
    elif form == "--json":
        assert [row["duration_minutes"] for row in json.loads(out)] == [60, 59]
    else:
        assert [line[-8:] for line in out.splitlines()] == ["(60 min)", "(59 min)"]


async def test_empty_history(lib_sim: LibSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    """No finished Equivent: said plainly."""
    code, out, _ = await run_cli(capsys, "history")
    assert (code, out) == (0, "No finished Equivent is known.\n")


async def test_rejected_token(
    lib_sim: LibSimulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token Equiwatt rejects: exit 2 and one line, without the token."""
    monkeypatch.setenv("EQUIWATT_TOKEN", "not-a-valid-token")
    code, out, err = await run_cli(capsys, "status")
    assert (code, out) == (2, "")
    assert one_error_line(err) == "aioequiwatt: error: Equiwatt rejected the token (HTTP 401)"
    assert "not-a-valid-token" not in err


async def test_server_errors_are_one_line(
    lib_sim: LibSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """A proxy's HTML error page is one line on standard error and exit 2."""
    lib_sim.world.faults.update({"status": 502, "html": True})
    code, _, err = await run_cli(capsys, "history", "--json")
    assert code == 2
    assert "HTTP 502" in one_error_line(err)


async def test_unreachable(
    allow_sockets: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing listening: exit 2 and one line."""
    monkeypatch.setenv("EQUIWATT_TOKEN", TOKEN)
    monkeypatch.setenv("EQUIWATT_API_URL", "http://127.0.0.1:9")
    code, _, err = await run_cli(capsys, "status")
    assert code == 2
    assert one_error_line(err).startswith("aioequiwatt: error: cannot reach Equiwatt")


class Terminal(io.StringIO):
    """Standard input that says it is a terminal."""

    def isatty(self) -> bool:
        """Claim to be a terminal."""
        return True


async def test_token_prompt(
    lib_sim: LibSimulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without EQUIWATT_TOKEN the token is asked for (hidden), and normalised."""
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return f"  bearer {TOKEN} "

    monkeypatch.delenv("EQUIWATT_TOKEN")
    monkeypatch.setattr("getpass.getpass", fake_getpass)
    monkeypatch.setattr(sys, "stdin", Terminal())
    code, _, err = await run_cli(capsys, "status")
    assert (code, err) == (1, "")
    assert prompts == ["Equiwatt API token: "]


async def test_token_from_standard_input(
    lib_sim: LibSimulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Standard input that is not a terminal gives the token in its first line."""
    monkeypatch.delenv("EQUIWATT_TOKEN")
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"Bearer {TOKEN}\n"))
    code, _, err = await run_cli(capsys, "status")
    assert (code, err) == (1, "")


@pytest.mark.parametrize("given", ["", "Bearer  ", None])
async def test_no_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, given: str | None
) -> None:
    """An empty token (or none at all) is exit 2 before any call."""
    monkeypatch.delenv("EQUIWATT_TOKEN", raising=False)
    if given is None:

        def end_of_input(prompt: str = "") -> str:
            raise EOFError

        monkeypatch.setattr("getpass.getpass", end_of_input)
        monkeypatch.setattr(sys, "stdin", Terminal())
    else:
        monkeypatch.setenv("EQUIWATT_TOKEN", given)
    code, _, err = await run_cli(capsys, "status")
    assert code == 2
    assert "no token" in one_error_line(err)


async def test_usage(capsys: pytest.CaptureFixture[str]) -> None:
    """`--version`, `--help`, and a usage error (exit 2)."""
    assert await cli.run(["--version"]) == 0
    assert capsys.readouterr().out == f"aioequiwatt {__version__}\n"
    assert await cli.run(["--help"]) == 0
    assert "exit codes:" in capsys.readouterr().out
    assert await cli.run([]) == 2
    assert await cli.run(["history", "--csv", "--json"]) == 2
    assert await cli.run(["watch", "--slow", "10"]) == 2
    assert await cli.run(["watch", "--slow", "inf"]) == 2
    assert await cli.run(["watch", "--slow", "nan"]) == 2
    assert await cli.run(["watch", "--slow", "often"]) == 2
    assert "'often' is not a number of seconds" in capsys.readouterr().err


@pytest.fixture
def keep_event_loop() -> Iterator[None]:
    """Put back the current event loop, which `asyncio.run` (in `main`) clears."""
    try:
        loop: asyncio.AbstractEventLoop | None = asyncio.get_event_loop()
    except RuntimeError:
        loop = None
    yield
    if loop is not None:
        asyncio.set_event_loop(loop)


def test_main_and_module(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], keep_event_loop: None
) -> None:
    """`main` (the console script) and `python -m aioequiwatt` return the exit code."""
    assert cli.main(["--version"]) == 0
    monkeypatch.setattr(sys, "argv", ["aioequiwatt", "--version"])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module("aioequiwatt", run_name="__main__")
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.count(__version__) == 2


def test_interrupt(monkeypatch: pytest.MonkeyPatch, keep_event_loop: None) -> None:
    """Ctrl-C is exit 130, without a traceback."""

    async def interrupted(argv: object = None, **_: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "run", interrupted)
    assert cli.main(["watch"]) == 130


async def test_console_script_smoke(allow_sockets: None) -> None:
    """The command line in its own processes: exit codes, JSON, CSV, and no token in sight."""
    await smoke(cli_command())


def test_describe_an_open_end() -> None:
    """An Equivent without a known end reads as such."""
    start = datetime(2026, 11, 19, 17, 31, 2, tzinfo=UTC)
    assert cli_output.describe(Equivent(start)).endswith(", end unknown")


async def test_exec_that_cannot_start(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command the system cannot start is one warning line."""

    async def cannot_start(*args: object, **kwargs: object) -> None:
        raise OSError("no shell")

    monkeypatch.setattr(asyncio, "create_subprocess_shell", cannot_start)
    start = datetime(2026, 11, 19, 17, 31, 2, tzinfo=UTC)
    await cli_watch.run_command("true", Transition(TransitionKind.STARTED, Equivent(start)))
    assert capsys.readouterr().err == "aioequiwatt: could not run the --exec command: no shell\n"


async def test_token_with_control_characters(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token pasted with a line break inside is a clear error (2), never "not live" (1)."""
    monkeypatch.setenv("EQUIWATT_TOKEN", "abc\r\nX-Other: y")
    code, out, err = await run_cli(capsys, "status")
    assert code == 2
    assert "control characters" in one_error_line(err)
    assert "abc" not in out + err
