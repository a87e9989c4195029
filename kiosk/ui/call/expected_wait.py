"""How long a passenger will wait, in words: one rule for the choice screen and the waiting screen, so
the two never disagree (the choice saying an agent is free while the queue says "about 1 minute")."""

from __future__ import annotations

from device.ui.text import Texts

NOW_BELOW_S = 30.0  # under half a minute is "now": nobody can act on "about 0 min"
NEAREST_MINUTE_UP_TO_MIN = 10  # beyond this, to the nearest 5 minutes: a forecast is not that precise
HOUR_MIN = 60


def wait_minutes(eta_s: float) -> int | None:
    """The expected wait rounded as it is shown: None for "now", else whole minutes (5-minute steps
    beyond NEAREST_MINUTE_UP_TO_MIN)."""
    if eta_s < NOW_BELOW_S:
        return None
    minutes = max(1, round(eta_s / 60))
    if minutes > NEAREST_MINUTE_UP_TO_MIN:
        minutes = 5 * round(minutes / 5)
    return minutes


def expected_wait_text(texts: Texts, eta_s: float | None) -> str:
    """What to say about a wait of ``eta_s`` seconds; empty when nobody knows (``None``)."""
    if eta_s is None:
        return ""
    minutes = wait_minutes(eta_s)
    if minutes is None:
        return texts("call.wait_now")
    if minutes >= HOUR_MIN:
        return texts("call.wait_over_hour")
    return texts("call.wait_about", minutes=minutes)
