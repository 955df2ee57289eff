"""Screenshot the Equiwatt device page of a running scripts/develop in headless Chromium.

Run through scripts/screenshot, which starts everything and installs what is needed.
"""

from __future__ import annotations

import sys

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8123"
OUT = sys.argv[2] if len(sys.argv) > 2 else "docs/device-page.png"
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


def main() -> None:
    """Log in as the development user and capture the device page."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
        page.goto(BASE, wait_until="networkidle")
        page.fill("input[name='username']", "dev")
        page.fill("input[name='password']", "equiwatt")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "() => document.querySelector('home-assistant')?.hass?.entities"
            "?.['binary_sensor.equiwatt_equivent_active']",
            timeout=60_000,
        )
        device_id = page.evaluate(
            "() => document.querySelector('home-assistant').hass"
            ".entities['binary_sensor.equiwatt_equivent_active'].device_id"
        )
        page.goto(f"{BASE}/config/devices/device/{device_id}", wait_until="networkidle")
        page.wait_for_timeout(3000)
        page.screenshot(path=OUT)
        browser.close()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
