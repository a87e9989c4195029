"""The alert webhook: a receiver gets each raise and clear once; one that hangs or answers 500 is retried a
few times and given up without holding anything else up; the URL's credentials never reach the log."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bus.messages.central import AlertSeverity
from central.alerts.book import AlertBook
from central.alerts.webhook import AlertWebhook, shown_url

SECRET_PATH = "/hooks/T000-s3cr3t-path"


class Receiver:
    """An HTTP receiver whose answer the test chooses: ``ok``, ``fail`` (500) or ``hang``."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.bodies: list[dict[str, Any]] = []
        self.tries = 0
        self.arrived = asyncio.Condition()
        app = web.Application()
        app.router.add_post(SECRET_PATH, self.take)
        self.server = TestServer(app)

    async def take(self, request: web.Request) -> web.Response:
        self.tries += 1
        body = await request.json()
        assert request.headers.get("Authorization", "").startswith("Basic ")  # user:password@ became this
        if self.mode == "hang":
            await asyncio.sleep(3600)
        if self.mode == "fail":
            return web.Response(status=500)
        async with self.arrived:
            self.bodies.append(body)
            self.arrived.notify_all()
        return web.Response(status=204)

    async def wait_for(self, count: int) -> None:
        async with asyncio.timeout(5), self.arrived:
            await self.arrived.wait_for(lambda: len(self.bodies) >= count)

    def url(self) -> str:
        return f"http://hook-user:hook-password@127.0.0.1:{self.server.port}{SECRET_PATH}"


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    await receiver.server.start_server()
    yield receiver
    await receiver.server.close()


async def until(condition: Callable[[], bool]) -> None:
    """Wait (at most 5 s) for the webhook's own counters to say it is done: they change on its task."""
    async with asyncio.timeout(5):
        while not condition():
            await asyncio.sleep(0.01)


def central_log(caplog: pytest.LogCaptureFixture) -> str:
    """What central logged (the test receiver's own access log names its path, of course)."""
    return "\n".join(record.getMessage() for record in caplog.records if record.name.startswith("central."))


def hooked(receiver: Receiver, timeout_s: float = 0.3, retries: int = 2, max_waiting: int = 10):
    book = AlertBook()
    webhook = AlertWebhook(receiver.url(), timeout_s, retries, max_waiting, retry_first_s=0.05)
    webhook.listen_to(book)
    webhook.start()
    return book, webhook


def raise_and_clear(book: AlertBook, device: str = "kiosk-t1-01") -> None:
    book.raised(f"paper_out:{device}", "paper_out", AlertSeverity.CRITICAL, device, "Printer out of paper")
    book.cleared(f"paper_out:{device}")


async def test_the_receiver_gets_the_raise_and_the_clear(receiver: Receiver) -> None:
    book, webhook = hooked(receiver)
    try:
        raise_and_clear(book)
        await receiver.wait_for(2)
        await until(lambda: webhook.sent == 2)
    finally:
        await webhook.stop()
    assert [(body["id"], body["state"]) for body in receiver.bodies] == [
        ("paper_out:kiosk-t1-01", "raised"),
        ("paper_out:kiosk-t1-01", "cleared"),
    ]
    assert receiver.bodies[0]["v"] == 1 and receiver.bodies[0]["severity"] == "critical"
    assert webhook.failed == 0


async def test_a_receiver_that_answers_500_is_retried_then_given_up_and_the_next_alert_still_goes(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    receiver.mode = "fail"
    book, webhook = hooked(receiver, retries=2)
    try:
        book.raised("disk_full:kiosk-t1-01", "disk_full", AlertSeverity.WARNING, "kiosk-t1-01", "Disk 95% full")
        await until(lambda: webhook.failed == 1)
        assert receiver.tries == 3  # the first try and two more
        receiver.mode = "ok"
        raise_and_clear(book)
        await receiver.wait_for(2)
    finally:
        await webhook.stop()
    ours = central_log(caplog)
    assert "hook-password" not in ours and "s3cr3t" not in ours
    assert "http://127.0.0.1" in ours  # the host is named, nothing more


async def test_a_receiver_that_hangs_does_not_hold_up_the_loop_and_the_waiting_posts_stay_bounded(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    receiver.mode = "hang"
    book, webhook = hooked(receiver, timeout_s=0.2, retries=0, max_waiting=3)
    try:
        loop = asyncio.get_running_loop()
        started = loop.time()
        for n in range(10):
            raise_and_clear(book, f"kiosk-{n}")
        assert loop.time() - started < 0.1  # queued, not sent, on the way
        # the loop keeps turning while the post hangs
        ticks = 0
        async with asyncio.timeout(5):
            while webhook.failed < 1:
                await asyncio.sleep(0.01)
                ticks += 1
        assert ticks > 5
        assert webhook.dropped >= 20 - 3 - 1  # all but the waiting ones and the one being sent
    finally:
        await webhook.stop()
    ours = central_log(caplog)
    assert "hook-password" not in ours and "s3cr3t" not in ours


def test_only_the_scheme_and_host_of_a_webhook_url_are_shown():
    assert (
        shown_url("https://u:p@hooks.example.com:8443/services/T0/B0/xyz?token=1") == "https://hooks.example.com:8443"
    )
