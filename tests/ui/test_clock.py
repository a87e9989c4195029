"""The top bar's clock wakes once a minute, just after it turns, rather than every second."""

from __future__ import annotations

from datetime import datetime

import pytest

from device.ui.widgets import MINUTE_MARGIN_MS, ms_to_next_minute


@pytest.mark.parametrize(
    ("now", "expected_ms"),
    [
        (datetime(2026, 12, 1, 8, 59, 0), 60_000 + MINUTE_MARGIN_MS),
        (datetime(2026, 12, 1, 8, 59, 30, 250_000), 29_750 + MINUTE_MARGIN_MS),
        (datetime(2026, 12, 1, 8, 59, 59, 999_999), 1 + MINUTE_MARGIN_MS),
    ],
)
def test_the_clock_wakes_just_after_the_next_minute(now, expected_ms):
    assert ms_to_next_minute(now) == expected_ms


def test_the_clock_shows_the_time_and_waits_for_the_next_minute(make_window):
    before = datetime.now()
    clock = make_window().top_bar.clock
    shown = {before.strftime("%H:%M"), datetime.now().strftime("%H:%M")}  # the minute may turn meanwhile
    assert clock.time_label.text() in shown
    timer = clock._timer
    assert timer.isSingleShot() and timer.isActive()
    assert 0 < timer.remainingTime() <= 60_000 + MINUTE_MARGIN_MS
