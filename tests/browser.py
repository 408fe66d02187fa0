"""Debian's Chromium driven by Playwright, for the tests that look at pages (the dashboard, the
course site): where it is, how it is started, a phone's size, and the `browser` fixture's body."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

REQUIRE_BROWSER = os.environ.get("GRADER_REQUIRE_BROWSER") == "1"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]
PHONE = {"width": 390, "height": 844}  # a phone held upright (iPhone 12 to 15), CSS pixels


def launched() -> Iterator:
    """A Chromium for one test module; skipped without one, said why (a failure with
    GRADER_REQUIRE_BROWSER=1, as in CI)."""
    if CHROMIUM is None:
        reason = "no chromium on PATH (apt-get install chromium), so the browser tests cannot run"
        if REQUIRE_BROWSER:
            pytest.fail(reason + "; GRADER_REQUIRE_BROWSER=1 makes this a failure")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()
