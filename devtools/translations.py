"""Write translations/en.json from strings.json, with its `[%key:…%]` references resolved.

Home Assistant resolves these references when it builds its own integrations; a custom
integration's translations are read as they stand, so ours are written resolved: the
references point at Home Assistant's common strings (`homeassistant/strings.json` of the
installed package) or at our own strings. `python -m devtools.translations --check`
fails when en.json is not what strings.json makes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
import re
import sys
from typing import Any

import homeassistant

INTEGRATION = Path(__file__).resolve().parent.parent / "custom_components" / "equiwatt"
CORE_STRINGS = Path(homeassistant.__file__).parent / "strings.json"
REFERENCE = re.compile(r"\[%key:([A-Za-z0-9_:]+)%\]")


def _lookup(tree: dict[str, Any], path: list[str]) -> str:
    node: Any = tree
    for part in path:
        node = node[part]
    if not isinstance(node, str):
        raise TypeError(f"{':'.join(path)} is no string")
    return node


def resolved(strings: dict[str, Any], core: dict[str, Any]) -> dict[str, Any]:
    """Return `strings` with every reference replaced by the text it names."""
    trees = {"common": core["common"], "component": {"equiwatt": strings}}

    def text(value: str) -> str:
        def one(match: re.Match[str]) -> str:
            root, *path = match.group(1).split("::")
            if root == "component":
                domain, *path = path
                if domain != "equiwatt":
                    raise ValueError(f"{match.group(0)} names another integration's text")
            return text(_lookup(trees[root] if root == "common" else strings, path))

        return REFERENCE.sub(one, value)

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        return text(node) if isinstance(node, str) else node

    result: dict[str, Any] = walk(strings)
    return result


def english() -> str:
    """Return what translations/en.json must hold."""
    strings = json.loads((INTEGRATION / "strings.json").read_text(encoding="utf-8"))
    core = json.loads(CORE_STRINGS.read_text(encoding="utf-8"))
    return json.dumps(resolved(strings, core), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    """Write (or with --check, compare) translations/en.json."""
    parser = argparse.ArgumentParser(prog="python -m devtools.translations")
    parser.add_argument("--check", action="store_true", help="fail if en.json is out of date")
    target = INTEGRATION / "translations" / "en.json"
    if parser.parse_args().check:
        if target.read_text(encoding="utf-8") != english():
            print("translations/en.json is out of date: run scripts/translations", file=sys.stderr)
            return 1
        return 0
    target.write_text(english(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
