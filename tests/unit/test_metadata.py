"""The files Home Assistant, hassfest and HACS read: in sync and well-formed."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image
import pytest
import yaml

from devtools import translations

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = ROOT / "custom_components" / "equiwatt"


def load(path: Path) -> dict:
    """Read a JSON file."""
    return json.loads(path.read_text(encoding="utf-8"))


def test_english_translation_is_strings_resolved() -> None:
    """translations/en.json is strings.json with its references resolved (scripts/translations).

    A custom integration's translations are read as they stand: no reference may be left.
    """
    english = (INTEGRATION / "translations" / "en.json").read_text(encoding="utf-8")
    assert english == translations.english()
    assert "[%key:" not in english
    assert "[%key:common::" in (INTEGRATION / "strings.json").read_text(encoding="utf-8")


def test_a_reference_to_another_integration_is_refused() -> None:
    """Only core's common texts and our own may be named: another domain's would resolve as ours."""
    with pytest.raises(ValueError, match="another integration"):
        translations.resolved({"title": "[%key:component::tado::title%]"}, {"common": {}})


def test_every_entity_has_a_name_and_an_icon() -> None:
    """Each translation key of the design's table has a name and an icon."""
    entities = load(INTEGRATION / "strings.json")["entity"]
    icons = load(INTEGRATION / "icons.json")["entity"]
    expected = {
        "binary_sensor": {"equivent_active"},
        "calendar": {"equivents"},
        "event": {"equivent"},
        "sensor": {
            "equivent_start",
            "last_equivent_start",
            "last_equivent_end",
            "last_equivent_duration",
            "last_webhook",
            "equivent_baseline",
            "equivent_usage",
            "equivent_saving",
            "equivent_saving_percent",
            "equivent_pace",
        },
    }
    for platform, keys in expected.items():
        assert set(entities[platform]) == keys
        assert set(icons[platform]) == keys
        assert all(entities[platform][key]["name"] for key in keys)


def test_manifest_as_hassfest_wants() -> None:
    """Keys ordered domain, name, then alphabetically; what the contract names is there."""
    manifest = load(INTEGRATION / "manifest.json")
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == "equiwatt"
    assert manifest["config_flow"] is True
    assert manifest["dependencies"] == ["http", "webhook"]
    assert manifest["after_dependencies"] == ["cloud", "energy", "recorder"]
    assert manifest["iot_class"] == "cloud_push"
    assert manifest["integration_type"] == "service"
    assert manifest["documentation"].startswith("https://")
    assert manifest["issue_tracker"].startswith("https://")
    assert manifest["requirements"] == ["holidays>=0.84"]
    assert manifest["version"]


def test_holidays_pins_satisfy_the_manifest() -> None:
    """Each test environment pins the holidays of its Home Assistant's workday, at least ours."""
    for env in ("minimum", "newest"):
        pins = (ROOT / "requirements" / f"ha-{env}.txt").read_text(encoding="utf-8").split()
        version = next(pin.split("==")[1] for pin in pins if pin.startswith("holidays=="))
        assert tuple(map(int, version.split("."))) >= (0, 84)


def test_hacs_manifest() -> None:
    """hacs.json names the minimum Home Assistant and only keys HACS knows."""
    hacs = load(ROOT / "hacs.json")
    assert hacs["homeassistant"] == "2026.3.0"
    assert set(hacs) <= {
        "name",
        "content_in_root",
        "zip_release",
        "filename",
        "hide_default_branch",
        "country",
        "homeassistant",
        "hacs",
        "persistent_directory",
        "render_readme",
    }


def test_brand_images() -> None:
    """Icons are square at 256 and 512; logos are landscape with a 128 or 256 short side."""
    brand = INTEGRATION / "brand"
    for name, size in (("icon.png", 256), ("icon@2x.png", 512), ("dark_icon.png", 256)):
        with Image.open(brand / name) as image:
            assert image.size == (size, size)
    for name, height in (("logo.png", 128), ("logo@2x.png", 256), ("dark_logo.png", 128)):
        with Image.open(brand / name) as image:
            assert image.height == height
            assert image.width > image.height


# The rules hassfest knows in Home Assistant 2026.11 (ALL_RULES in
# script/hassfest/quality_scale.py of home-assistant/core), in its order.
HASSFEST_RULES = (
    # Bronze
    "action-setup",
    "appropriate-polling",
    "brands",
    "common-modules",
    "config-flow",
    "config-flow-test-coverage",
    "dependency-transparency",
    "docs-actions",
    "docs-conditions",
    "docs-high-level-description",
    "docs-installation-instructions",
    "docs-removal-instructions",
    "docs-triggers",
    "entity-event-setup",
    "entity-unique-id",
    "has-entity-name",
    "runtime-data",
    "test-before-configure",
    "test-before-setup",
    "unique-config-entry",
    # Silver
    "action-exceptions",
    "config-entry-unloading",
    "docs-configuration-parameters",
    "docs-installation-parameters",
    "entity-unavailable",
    "integration-owner",
    "log-when-unavailable",
    "parallel-updates",
    "reauthentication-flow",
    "test-coverage",
    # Gold
    "devices",
    "diagnostics",
    "discovery",
    "discovery-update-info",
    "docs-data-update",
    "docs-examples",
    "docs-known-limitations",
    "docs-supported-devices",
    "docs-supported-functions",
    "docs-troubleshooting",
    "docs-use-cases",
    "dynamic-devices",
    "entity-category",
    "entity-device-class",
    "entity-disabled-by-default",
    "entity-translations",
    "exception-translations",
    "icon-translations",
    "reconfiguration-flow",
    "repair-issues",
    "stale-devices",
    # Platinum
    "async-dependency",
    "inject-websession",
    "strict-typing",
)


def test_quality_scale_covers_every_rule() -> None:
    """Exactly hassfest's rules, each done, exempt or todo; every exemption or todo says why."""
    rules = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text(encoding="utf-8"))[
        "rules"
    ]
    assert sorted(rules) == sorted(HASSFEST_RULES)
    for name, rule in rules.items():
        if isinstance(rule, str):
            assert rule == "done", name
        else:
            assert rule["status"] in ("done", "exempt", "todo"), name
            assert rule.get("comment"), name


# Abort reasons that Home Assistant's flow helpers give, and the step that makes them used.
SUPPLIED_ABORTS = {"reauth_successful": "reauth", "reconfigure_successful": "reconfigure"}


def _used_in_code() -> set[str]:
    """Every string literal, flow step and Home Assistant constant's value in our code."""
    import ast

    from homeassistant import const as ha_const

    used: set[str] = set()
    for path in INTEGRATION.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                used.add(node.value)
            elif isinstance(node, ast.AsyncFunctionDef) and node.name.startswith("async_step_"):
                used.add(node.name.removeprefix("async_step_"))
            elif isinstance(node, ast.Name) and isinstance(getattr(ha_const, node.id, None), str):
                used.add(getattr(ha_const, node.id))
    return used


def _translation_keys(strings: dict) -> list[tuple[str, str]]:
    """Each key of strings.json that code must name, with where it sits."""
    keys: list[tuple[str, str]] = []
    for flow in ("config", "options"):
        section = strings.get(flow, {})
        for step, body in section.get("step", {}).items():
            keys.append((f"{flow}.step.{step}", step))
            for part in ("data", "data_description"):
                keys += [(f"{flow}.step.{step}.{part}.{f}", f) for f in body.get(part, {})]
        for kind in ("error", "abort", "create_entry"):
            keys += [(f"{flow}.{kind}.{key}", key) for key in section.get(kind, {})]
    for platform, entities in strings["entity"].items():
        for key, body in entities.items():
            keys.append((f"entity.{platform}.{key}", key))
            for attribute, values in body.get("state_attributes", {}).items():
                where = f"entity.{platform}.{key}.state_attributes.{attribute}.state"
                keys += [(f"{where}.{state}", state) for state in values.get("state", {})]
    for kind in ("common", "exceptions", "issues"):
        keys += [(f"{kind}.{key}", key) for key in strings.get(kind, {})]
    for key, body in strings.get("selector", {}).items():
        keys.append((f"selector.{key}", key))
        keys += [(f"selector.{key}.options.{o}", o) for o in body.get("options", {})]
    return keys


def test_no_dead_strings() -> None:
    """Every key of strings.json is named by our code (or by the flow helper we call)."""
    strings = load(INTEGRATION / "strings.json")
    assert set(strings) <= {
        "common",
        "config",
        "options",
        "entity",
        "exceptions",
        "issues",
        "selector",
    }
    used = _used_in_code()
    dead = [
        where
        for where, key in _translation_keys(strings)
        if key not in used and SUPPLIED_ABORTS.get(key) not in used
    ]
    assert dead == []


def _imports(folder: Path) -> set[str]:
    """Every module a package's files import, relative imports resolved to their top name."""
    import ast

    found: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                found.add(("." * node.level) + (node.module or ""))
    return found


def test_client_stands_alone() -> None:
    """The API client imports nothing from Home Assistant nor from the integration around it."""
    imports = _imports(INTEGRATION / "api")
    assert not [
        name for name in imports if name.startswith(("homeassistant", "custom_components", ".."))
    ]
    assert (INTEGRATION / "api" / "py.typed").exists()


def test_simulator_shares_no_code_with_the_client() -> None:
    """The simulator is an independent reading of the API."""
    imports = _imports(ROOT / "simulator")
    assert not [name for name in imports if name.startswith(("custom_components", "homeassistant"))]


def test_library_needs_only_aiohttp() -> None:
    """The client, which is the aioequiwatt library, needs nothing but aiohttp, as it declares."""
    import sys
    import tomllib

    imports = {name.split(".")[0] for name in _imports(INTEGRATION / "api") if name[:1] != "."}
    assert imports - set(sys.stdlib_module_names) == {"aiohttp"}
    library = tomllib.loads((ROOT / "library" / "pyproject.toml").read_text(encoding="utf-8"))
    assert [r.split(">")[0] for r in library["project"]["dependencies"]] == ["aiohttp"]
