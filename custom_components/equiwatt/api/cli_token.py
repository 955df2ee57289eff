"""The command line's token: from `EQUIWATT_TOKEN`, a prompt or standard input; never printed."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Final

from .client import normalize_token

TOKEN_ENV: Final = "EQUIWATT_TOKEN"


class UsageError(Exception):
    """Something the user must fix before anything is sent."""


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
