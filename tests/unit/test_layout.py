"""The integration's layout: rooms of one job, small, and no import cycle (type-only included)."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

INTEGRATION = Path(__file__).resolve().parents[2] / "custom_components" / "equiwatt"
MAX_LINES = 250


def _module(path: Path) -> str:
    parts = path.relative_to(INTEGRATION.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(path: Path, modules: set[str]) -> set[str]:
    """Return our modules a file imports (relative imports, and names imported from packages)."""
    name = _module(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            target = ".".join([*base, node.module] if node.module else base)
            for candidate in (target, *(f"{target}.{alias.name}" for alias in node.names)):
                if candidate in modules and candidate != name:
                    found.add(candidate)
    return found


def test_no_import_cycle() -> None:
    """No module imports one that imports it back, however far round, TYPE_CHECKING too."""
    files = list(INTEGRATION.rglob("*.py"))
    modules = {_module(path) for path in files}
    graph = {_module(path): _imported(path, modules) for path in files}
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as err:
        raise AssertionError(f"import cycle: {err.args[1]}") from err


def test_no_product_file_over_250_lines() -> None:
    """Each room stays small enough to read in one go."""
    long = {
        str(path.relative_to(INTEGRATION)): lines
        for path in INTEGRATION.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
