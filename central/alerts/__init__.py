"""Fleet alerts: rules on devices' health and status and on the flight feeds (:mod:`.rules`, :mod:`.watch`),
the alert book every source reports to through :class:`AlertSink` (:mod:`.book`), and what central does
with the book's changes: the bus (:mod:`.publisher`), a webhook (:mod:`.webhook`). See docs/fleet-alerts.md."""

from central.alerts.book import AlertBook, AlertSink, AlertView, BookChange
from central.alerts.rules import Rule

__all__ = ["AlertBook", "AlertSink", "AlertView", "BookChange", "Rule"]
