"""A board update on the signage player: 2,000 flights, 5% changed, applied to the Qt model and repainted,
beside a full model reset of the same board in the same run.

``python -m bench.board_update [--flights N] [--changed-share F] [--rounds N] [--json PATH] [--quick]``

The player's departures table (``signage.ui.pages.BoardPage`` over ``FlightTableModel``), 20 rows at
1920x1080 offscreen, holds a board of ``--flights`` departures. Each round changes ``--changed-share`` of
them at random (gate and status, as a busy update from central does; the same share of the page on
screen, at least one row), and times ``FlightTableModel.apply`` of that ``BoardChange`` plus the repaint
it causes (``processEvents`` until a pass does nothing more for the board: a reset's header lays itself
out and repaints passes after its rows); then it times ``FlightTableModel.reset`` with the whole board
plus its repaint, as a player that redrew everything on every update would. Goal: the update ≥ 10x
faster than the reset and ≤ 5 ms (median).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget

from bench.report import percentile, table, yes
from bus.messages.flights import Direction, Flight, FlightStatus
from device.flights.store import BoardChange
from device.i18n import Catalogue
from device.ui.text import Texts
from signage.sample import TZ, sample_flights
from signage.ui.board import LanguageRotation, board_style
from signage.ui.flight_model import FlightTableModel
from signage.ui.pages import BoardPage

SPEED_GOAL = 10.0
UPDATE_GOAL_MS = 5.0
ROWS = 20
SIZE = (1920, 1080)
STATUSES = (FlightStatus.BOARDING, FlightStatus.DELAYED, FlightStatus.FINAL_CALL, FlightStatus.GATE_CLOSED)


def changed_flights(
    flights: list[Flight], share: float, rng: random.Random, round_no: int, on_screen: range
) -> list[Flight]:
    """``share`` of the board, at random, with a new gate and status; among them the same share of the page
    on screen (at least one row), so that each update has rows on screen to repaint, as a real one has."""
    count = max(1, round(len(flights) * share))
    visible = max(1, round(len(on_screen) * share))
    chosen = set(rng.sample(list(on_screen), visible))
    while len(chosen) < count:
        chosen.add(rng.randrange(len(flights)))
    return [
        flights[i].model_copy(update={"gate": f"{(round_no + i) % 40 + 1}", "status": rng.choice(STATUSES)})
        for i in sorted(chosen)
    ]


def figures(name: str, values: list[float]) -> list[str]:
    return [name, f"{statistics.median(values):.2f}", f"{percentile(values, 0.99):.2f}", f"{max(values):.2f}"]


BOARD_WORK = {QEvent.Type.Paint, QEvent.Type.UpdateRequest, QEvent.Type.UpdateLater, QEvent.Type.Timer}


class BoardWork(QObject):
    """Counts the events that paint the board or lead to its painting (update requests, the header's
    layout timer), on the widgets it watches: the table, its rows, its header."""

    def __init__(self, widgets: list[QWidget]) -> None:
        super().__init__()
        self.count = 0
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if event.type() in BOARD_WORK:
            self.count += 1
        return False


def paint(app: QApplication, work: BoardWork) -> None:
    """Everything the change asked to be painted, painted: ``processEvents`` until a pass does nothing more
    for the board. One pass is not enough after a reset: the header lays itself out on a zero timer and
    repaints a pass or two later, which would otherwise land in the next update's time."""
    while True:
        before = work.count
        app.processEvents()  # the update requests posted so far are painted here, synchronously
        if work.count == before:
            return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.board_update", description=__doc__.splitlines()[0])
    parser.add_argument("--flights", type=int, default=2000)
    parser.add_argument("--changed-share", type=float, default=0.05)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--quick", action="store_true", help="a few rounds: does it still run")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds = 4
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    rotation = LanguageRotation(["en"])
    texts = Texts(Catalogue.from_package("signage"), rotation)
    now = datetime.now(UTC)
    flights = [f.model_copy(update={"status": FlightStatus.SCHEDULED, "actual": None})
               for f in sample_flights(Direction.DEPARTURES, now, args.flights)]  # fmt: skip
    model = FlightTableModel(Direction.DEPARTURES, texts, TZ)
    view = BoardPage(ROWS)
    view.setStyleSheet(board_style(1.0, SIZE[0]))
    view.setModel(model)
    view.resize(*SIZE)
    view.show()
    header = view.horizontalHeader()
    work = BoardWork([view, view.viewport(), header, header.viewport()])
    model.reset(flights)
    for _ in range(5):
        paint(app, work)
    rng = random.Random(8)
    update_ms: list[float] = []
    reset_ms: list[float] = []
    apply_ms: list[float] = []  # the model's part of an update, without the repaint
    painted_rows = 0
    for round_no in range(args.rounds):
        on_screen = range(view.first_row_shown(), view.first_row_shown() + ROWS)
        changed = changed_flights(model.flights(), args.changed_share, rng, round_no, on_screen)
        change = BoardChange(Direction.DEPARTURES, changed=tuple(changed))
        started = time.perf_counter()
        model.apply(change, model.flights)
        applied = time.perf_counter()
        paint(app, work)
        update_ms.append((time.perf_counter() - started) * 1000)
        apply_ms.append((applied - started) * 1000)
        painted_rows += sum(1 for f in changed if model.flights().index(f) in on_screen)
        whole = model.flights()
        started = time.perf_counter()
        model.reset(whole)
        paint(app, work)
        reset_ms.append((time.perf_counter() - started) * 1000)
    view.close()

    update, reset = statistics.median(update_ms), statistics.median(reset_ms)
    faster = reset / update if update else float("inf")
    changed_count = max(1, round(args.flights * args.changed_share))
    print(f"Board update on the signage player: {args.flights} flights, {changed_count} changed per update, "
          f"{ROWS} rows on screen at {SIZE[0]}x{SIZE[1]}, {args.rounds} rounds")  # fmt: skip
    print()
    rows = [
        ["figure", "median ms", "p99 ms", "max ms"],
        figures("update: apply + repaint", update_ms),
        figures("  of which the model's apply", apply_ms),
        figures("full reset: reset + repaint", reset_ms),
    ]
    print(table(rows))
    print()
    print(f"changed rows on screen per update (mean): {painted_rows / args.rounds:.1f} of {ROWS}")
    print(f"update is {faster:.1f}x faster than a reset")
    print(f"goal ≥ {SPEED_GOAL:g}x faster than the reset: {yes(faster >= SPEED_GOAL)}")
    print(f"goal ≤ {UPDATE_GOAL_MS:g} ms: {yes(update <= UPDATE_GOAL_MS)}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "flights": args.flights,
                    "changed": changed_count,
                    "update_ms": update_ms,
                    "reset_ms": reset_ms,
                    "python": platform.python_version(),
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
