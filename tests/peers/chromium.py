"""Headless Chromium (the system's) driven by Playwright; its own browser download is never used.

Two flavours of one launch: :func:`headless_chromium` for tests written against Playwright's sync API, and
:func:`chromium` for tests that also run aiortc, bus links or Qt on an asyncio loop. Tests reach either
through the ``chromium_executable`` fixture, which only ``slow`` tests may use (see tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from playwright.async_api import Browser as AsyncBrowser
from playwright.async_api import async_playwright
from playwright.sync_api import Browser, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Chromium hides host addresses behind mDNS names that aiortc cannot always resolve; a test on one machine
# needs the plain addresses. Video elements must play without a click.
WEBRTC_ARGS = [
    *CHROMIUM_ARGS,
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--autoplay-policy=no-user-gesture-required",
]


@contextmanager
def headless_chromium(executable: str) -> Iterator[Browser]:
    """A browser with a fresh profile (Playwright makes a new user-data-dir per launch); closed on exit."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@asynccontextmanager
async def chromium(executable: str) -> AsyncIterator[AsyncBrowser]:
    """The same browser under Playwright's asyncio API, ready for WebRTC calls with aiortc peers."""
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, headless=True, args=WEBRTC_ARGS)
        try:
            yield browser
        finally:
            await browser.close()
