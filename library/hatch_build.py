"""Put the client's files into the wheel as the package `aioequiwatt`.

From a checkout they are `../custom_components/equiwatt/api`; an sdist holds
them as `aioequiwatt/` (pyproject.toml's sdist force-include), since an archive
cannot reach outside its own folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, override

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE = "aioequiwatt"
CHECKOUT_SOURCE = Path("..", "custom_components", "equiwatt", "api")


class LibraryBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Map the client's folder to the package in the wheel."""

    @override
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Add the package's files to a wheel built from a checkout."""
        if self.target_name != "wheel" or Path(self.root, PACKAGE).is_dir():
            return  # an sdist: the package is already in place
        build_data["force_include"][str(Path(self.root, CHECKOUT_SOURCE).resolve())] = PACKAGE
