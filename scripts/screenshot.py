"""Take the README's pictures from a running scripts/develop in headless Chromium.

Walks what a user sees: adds Equiwatt again through the UI (the success dialog,
with the new webhook URLs), captures the device page with the saving of the latest
Equivent (from the simulated home's history), then starts an Equivent and captures
the calendar. Run through scripts/screenshot, which starts everything
and installs what is needed.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
import sys
from typing import Any
import urllib.request

from playwright.sync_api import Page, TimeoutError as PlaywrightTimeoutError, sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8123"
SIMULATOR = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:8765"
OUT = Path(sys.argv[3] if len(sys.argv) > 3 else "docs")
TOKEN = "dev-token-0000"  # noqa: S105 - the simulator's token (devtools.stack.DEV_TOKEN)
BINARY = "binary_sensor.equiwatt_equivent_active"
SAVING = "sensor.equiwatt_equivent_saving"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def simulator(method: str, path: str, body: Any = None) -> None:
    """Call the simulator's control API."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{SIMULATOR}{path}", data=data, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        response.read()


def log_in(page: Page) -> None:
    """Log in as the development user and wait for the Equiwatt entities."""
    page.goto(BASE, wait_until="networkidle")
    page.fill("input[name='username']", "dev")
    page.fill("input[name='password']", "equiwatt")
    page.keyboard.press("Enter")
    wait_for_entity(page)
    page.wait_for_function(
        "() => document.querySelector('home-assistant').hass.config.state === 'RUNNING'",
        timeout=120_000,
    )


def wait_for_entity(page: Page) -> None:
    """Wait until the frontend knows the Equiwatt binary sensor."""
    page.wait_for_function(
        f"() => document.querySelector('home-assistant')?.hass?.entities?.['{BINARY}']",
        timeout=60_000,
    )


def hass_call(page: Page, script: str) -> Any:
    """Run `script` with `hass` (the frontend's connection) in the page."""
    return page.evaluate(
        f"async () => {{ const hass = document.querySelector('home-assistant').hass; {script} }}"
    )


def add_again(page: Page) -> None:
    """Remove the Equiwatt entry and add it through the UI; capture the success dialog."""
    hass_call(
        page,
        "const [entry] = await hass.callWS({type: 'config_entries/get', domain: 'equiwatt'});"
        "await hass.callApi('DELETE', `config/config_entries/entry/${entry.entry_id}`);",
    )
    page.goto(f"{BASE}/config/integrations/dashboard/add?domain=equiwatt", wait_until="networkidle")
    page.get_by_role("button", name="OK").click()  # "Do you want to set up Equiwatt?"
    token = page.locator("input[type='password']")
    token.wait_for(timeout=30_000)
    token.fill(TOKEN)
    token.press("Enter")
    page.get_by_text("These URLs are new.").wait_for(timeout=30_000)
    with contextlib.suppress(PlaywrightTimeoutError):  # the "started" toast, if it is up
        page.get_by_text("Home Assistant has started!").wait_for(state="hidden", timeout=30_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=OUT / "success-dialog.png")
    page.keyboard.press("Escape")
    wait_for_entity(page)


def main() -> None:
    """Capture the success dialog, the device page and the calendar."""
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
        log_in(page)
        page.set_viewport_size({"width": 1000, "height": 1000})
        add_again(page)
        page.set_viewport_size({"width": 1280, "height": 900})
        # scripts/develop re-wires the simulator's webhooks to the new entry within
        # seconds, and chooses the simulated meter, whose history gives the figures.
        page.wait_for_function(
            f"() => !isNaN(parseFloat(document.querySelector('home-assistant')"
            f".hass.states['{SAVING}']?.state))",
            timeout=60_000,
        )
        # The latest Equivent's figures; a new one has its usage only from its first
        # half-hour that began after Home Assistant started.
        page.set_viewport_size({"width": 1280, "height": 1100})
        device_id = hass_call(page, f"return hass.entities['{BINARY}'].device_id;")
        page.goto(f"{BASE}/config/devices/device/{device_id}", wait_until="networkidle")
        page.wait_for_timeout(3000)
        page.screenshot(path=OUT / "device-page.png")
        page.set_viewport_size({"width": 1280, "height": 900})
        simulator("POST", "/_sim/equivents/start")
        page.wait_for_function(
            f"() => document.querySelector('home-assistant').hass.states['{BINARY}']?.state === 'on'",
            timeout=30_000,
        )
        page.goto(f"{BASE}/calendar", wait_until="networkidle")
        page.wait_for_timeout(3000)
        # The oldest Equivent in view is a finished one: its event carries the saving.
        page.locator(".fc-daygrid-event").first.click()
        page.get_by_text("kWh baseline").wait_for(timeout=10_000)
        page.wait_for_timeout(1000)
        page.screenshot(path=OUT / "calendar.png")
        browser.close()
    print(f"wrote {OUT}/success-dialog.png, device-page.png and calendar.png")


if __name__ == "__main__":
    main()
