"""The screen devices' asyncio loop (device.ui.runner.BatchedEventLoop): qasync's, with ``call_soon``
callbacks run in batches from one Qt timer instead of one Qt timer each."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from device.ui.runner import BatchedEventLoop


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[BatchedEventLoop]:
    loop = BatchedEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        loop.close()
        asyncio.set_event_loop(None)


class TimerEvents(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Timer:
            self.count += 1
        return False


def test_callbacks_run_in_order_and_cancelled_ones_do_not(loop: BatchedEventLoop) -> None:
    ran: list[int] = []
    handles = [loop.call_soon(ran.append, n) for n in range(10)]
    handles[3].cancel()
    loop.run_until_complete(asyncio.sleep(0))
    assert ran == [0, 1, 2, 4, 5, 6, 7, 8, 9]


def test_a_thousand_callbacks_take_a_handful_of_qt_timers(loop: BatchedEventLoop, qapp: QApplication) -> None:
    ran: list[int] = []
    timers = TimerEvents()
    qapp.installEventFilter(timers)
    try:

        async def many() -> None:
            for n in range(1000):
                loop.call_soon(ran.append, n)
            await asyncio.sleep(0)
            await asyncio.sleep(0)

        before = loop.batches
        loop.run_until_complete(many())
    finally:
        qapp.removeEventFilter(timers)
    assert ran == list(range(1000))
    assert loop.batches - before < 10
    assert timers.count < 20, f"{timers.count} Qt timer events for 1000 callbacks"


def test_a_callback_queued_by_a_callback_waits_for_the_next_batch(loop: BatchedEventLoop) -> None:
    seen: list[tuple[str, int]] = []

    def first() -> None:
        seen.append(("first", loop.batches))
        loop.call_soon(lambda: seen.append(("second", loop.batches)))

    loop.call_soon(first)
    loop.run_until_complete(asyncio.sleep(0.01))
    (_, batch_of_first), (_, batch_of_second) = seen
    assert batch_of_second == batch_of_first + 1, "Qt's own events must get a turn between the two"


def test_a_failing_callback_is_reported_and_the_rest_still_run(loop: BatchedEventLoop) -> None:
    reported: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    ran: list[str] = []

    def fail() -> None:
        raise ValueError("broken callback")

    loop.call_soon(fail)
    loop.call_soon(ran.append, "after")
    loop.run_until_complete(asyncio.sleep(0))
    assert ran == ["after"]
    assert isinstance(reported[0]["exception"], ValueError)


def test_tasks_threads_and_timers_work_as_on_any_loop(loop: BatchedEventLoop) -> None:
    async def work() -> list[str]:
        done: list[str] = []
        later = loop.create_future()
        loop.call_later(0.01, later.set_result, "timer")
        done.append(await asyncio.to_thread(lambda: "thread"))  # comes back by call_soon_threadsafe
        done.append(await later)
        done.extend(await asyncio.gather(*(asyncio.sleep(0, result=f"task {n}") for n in range(3))))
        return done

    assert loop.run_until_complete(work()) == ["thread", "timer", "task 0", "task 1", "task 2"]


def test_coroutines_are_refused_as_callbacks(loop: BatchedEventLoop) -> None:
    async def coroutine() -> None:
        pass

    with pytest.raises(TypeError):
        loop.call_soon(coroutine)
