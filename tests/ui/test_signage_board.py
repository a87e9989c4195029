"""The signage display as people passing by see it, fed by a real FlightStore: "no data" before any board,
the board in pages and in both languages with a colour per status, the cached board with its age, the
gate and belt modes, and the screen dark at night or on command."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from bus.messages.flights import Direction, FlightBoard, FlightStatus, FlightUpdate
from device.commands import CommandRefused
from device.flights.store import FlightStore, Freshness
from signage.rows import STATUS_COLOURS
from signage.sample import SITE, TZ, sample_flights
from signage.screen import ScreenControl, ScreenSchedule, screen_command
from signage.settings import DisplaySection, ScheduleSection
from signage.ui.board import MOST_PAGES
from signage.ui.flight_model import Column
from signage.ui.screenshots import DEMO_NOTICES, build_board, sample_store, settle

DEP, ARR = Direction.DEPARTURES, Direction.ARRIVALS
NOW = datetime.now(UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def show(qtbot):
    made = []

    def make(store: FlightStore, size=(1920, 1080), **display):
        shown = build_board(size, store, **display)
        qtbot.addWidget(shown)
        qtbot.waitExposed(shown)
        made.append(shown)
        return shown

    yield make
    for shown in made:
        shown.stop()


def snapshot(direction: Direction, revision: int = 5, count: int = 40) -> FlightBoard:
    return FlightBoard(
        direction=direction, revision=revision, flights=sample_flights(direction, NOW, count), site=SITE, tz=TZ
    )


def test_before_any_board_the_display_says_plainly_that_there_is_no_data(show, tmp_path):
    shown = show(FlightStore(tmp_path))
    assert shown.body.currentWidget() is shown.no_data
    assert shown.no_data.title.text() == "暂无航班信息"
    shown.next_language()
    assert shown.no_data.title.text() == "No flight information yet"
    assert not shown.fresh.isVisible()


def test_a_board_shows_in_pages_of_the_configured_rows_then_the_other_board(show, tmp_path):
    store = sample_store(tmp_path)
    shown = show(store, rows=10)
    assert shown.body.currentWidget() is shown.table
    assert shown.title.full_text == f"出发航班  1/{MOST_PAGES}"
    model = shown.models[DEP]
    times = [model.flight_at(row).scheduled for row in range(model.rowCount())]
    assert times == sorted(times)
    assert shown.table.rowAt(0) == 0
    assert shown.table.rowAt(shown.table.viewport().height() - 2) == 9, "exactly the configured rows fill the page"
    store.apply_snapshot(snapshot(DEP, revision=9, count=45))  # a new board resets the model: still whole rows
    settle()
    assert shown.table.rowAt(shown.table.viewport().height() - 1) == 9
    shown.next_page()
    assert shown.table.first_row_shown() == 10
    assert shown.table.rowAt(0) == 10
    assert shown.title.full_text == f"出发航班  2/{MOST_PAGES}"
    for _ in range(MOST_PAGES - 1):
        shown.next_page()
    assert shown.table.model() is shown.models[ARR]
    assert shown.title.full_text.startswith("到达航班  1/")
    assert shown.table.first_row_shown() == 0


def test_the_page_timer_turns_the_pages_by_itself(show, tmp_path, qtbot):
    shown = show(sample_store(tmp_path), rows=10)
    shown.page_timer.setInterval(50)
    qtbot.waitUntil(lambda: shown.table.first_row_shown() == 10, timeout=3000)


def test_cities_remarks_and_headings_take_turns_in_both_languages(show, tmp_path, qtbot):
    shown = show(sample_store(tmp_path), notices=DEMO_NOTICES)
    model = shown.models[DEP]
    first = model.flight_at(0)
    city = model.index(0, Column.CITY)
    assert model.data(city) == first.city_zh
    assert model.headerData(Column.CITY, _horizontal()) == "目的地"
    assert shown.ticker.full_text == DEMO_NOTICES[0].zh
    changed: list[int] = []
    model.dataChanged.connect(lambda top, bottom: changed.append(bottom.row() - top.row() + 1))
    shown.rotation_timer.setInterval(50)
    qtbot.waitUntil(lambda: model.data(city) == first.city_en, timeout=3000)
    assert model.headerData(Column.CITY, _horizontal()) == "To"
    assert shown.ticker.full_text == DEMO_NOTICES[0].en
    assert changed and changed[0] == model.rowCount()
    qtbot.waitUntil(lambda: model.data(city) == first.city_zh, timeout=3000)
    assert shown.ticker.full_text == DEMO_NOTICES[1].zh, "the next notice once one was shown in every language"


def test_a_codeshare_flight_shows_each_of_its_numbers_in_turn_in_every_language(show, tmp_path):
    store = sample_store(tmp_path)
    shown = show(store)
    model = shown.models[DEP]
    first = model.flight_at(0)
    shared = first.model_copy(update={"codeshares": ["CZ6401", "MU3302"]})
    base = store.revision(DEP)
    store.apply_update(FlightUpdate(direction=DEP, revision=base + 1, base_revision=base, changed=[shared]))
    number = model.index(0, Column.FLIGHT)
    seen = []
    for _ in range(3 * len(shown.display.languages)):
        seen.append((shown.rotation.language, model.data(number)))
        shown.next_language()
    assert seen == [
        ("zh-CN", first.number),
        ("en", first.number),
        ("zh-CN", "CZ6401"),
        ("en", "CZ6401"),
        ("zh-CN", "MU3302"),
        ("en", "MU3302"),
    ], "each number is shown once in each language before the next"
    assert model.data(number) == first.number, "then the flight's own number again"


def _horizontal():
    return Qt.Orientation.Horizontal


def test_each_status_has_its_colour_on_screen(show, tmp_path):
    store = FlightStore(tmp_path)
    base = sample_flights(DEP, NOW, len(STATUS_COLOURS))
    flights = [
        flight.model_copy(update={"status": status, "scheduled": NOW + timedelta(minutes=n), "actual": None})
        for n, (flight, status) in enumerate(zip(base, STATUS_COLOURS, strict=True))
    ]
    store.apply_snapshot(FlightBoard(direction=DEP, revision=1, flights=flights, site=SITE, tz=TZ))
    shown = show(store, rows=len(flights))
    shown.next_language()  # English
    settle()
    picture = shown.table.viewport().grab().toImage()
    for row in range(len(flights)):
        flight = shown.models[DEP].flight_at(row)
        colour = QColor(STATUS_COLOURS[flight.status])
        box = shown.table.visualRect(shown.models[DEP].index(row, Column.REMARK))
        found = {
            picture.pixelColor(x, y).name()
            for x in range(box.left(), box.right(), 1)
            for y in range(box.top(), box.bottom(), 2)
        }
        assert colour.name() in found, f"{flight.status} is not drawn in {colour.name()}"


def test_an_update_repaints_only_the_rows_it_names(show, tmp_path):
    store = sample_store(tmp_path)
    shown = show(store)
    model = shown.models[DEP]
    events: list[tuple[str, int, int]] = []
    model.dataChanged.connect(lambda top, bottom: events.append(("changed", top.row(), bottom.row())))
    model.rowsInserted.connect(lambda _p, first, last: events.append(("inserted", first, last)))
    model.rowsRemoved.connect(lambda _p, first, last: events.append(("removed", first, last)))
    model.modelReset.connect(lambda: events.append(("reset", 0, 0)))
    third, fifth = model.flight_at(2), model.flight_at(4)
    boarding = third.model_copy(update={"gate": "31", "status": FlightStatus.BOARDING})
    later = fifth.model_copy(update={"scheduled": fifth.scheduled + timedelta(hours=5)})
    gone = model.flight_at(6).id
    revision = store.revision(DEP)
    store.apply_update(
        FlightUpdate(
            direction=DEP, base_revision=revision, revision=revision + 1, changed=[boarding, later], removed=[gone]
        )
    )
    assert events[0] == ("removed", 6, 6)
    assert events[1] == ("changed", 2, 2)
    assert events[2] == ("removed", 4, 4)
    assert events[3][0] == "inserted" and events[3][1] > 4
    assert len(events) == 4, "no reset and no other row touched"
    assert model.data(model.index(2, Column.PLACE)) == "31"
    assert model.flights() == sorted(model.flights(), key=lambda f: (f.scheduled, f.number, f.id))
    assert gone not in {f.id for f in model.flights()}


def test_the_cached_board_is_shown_with_its_age(show, tmp_path):
    clock = Clock()
    first = FlightStore(tmp_path, clock=clock)
    first.apply_snapshot(snapshot(DEP))
    first.close()
    clock.now += 12 * 60
    store = FlightStore(tmp_path, clock=clock)  # a restart with the broker gone: from the disk cache
    assert store.freshness(DEP) is Freshness.CACHED
    shown = show(store)
    assert shown.body.currentWidget() is shown.table
    assert shown.models[DEP].rowCount() > 0
    assert shown.fresh.isVisible()
    assert shown.fresh.text() == "最后一次更新于 12 分钟前"
    clock.now += 60
    shown.next_language()
    assert shown.fresh.text() == "Last known board, 13 min old"


def test_a_gate_display_shows_the_flight_boarding_there_and_the_next(show, tmp_path):
    store = FlightStore(tmp_path)
    base = [f.model_copy(update={"estimated": None, "actual": None}) for f in sample_flights(DEP, NOW, 3)]
    flights = [
        base[0].model_copy(
            update={"gate": "7", "status": FlightStatus.BOARDING, "scheduled": NOW + timedelta(minutes=30)}
        ),
        base[1].model_copy(
            update={"gate": "7", "status": FlightStatus.SCHEDULED, "scheduled": NOW + timedelta(hours=2)}
        ),
        base[2].model_copy(
            update={"gate": "8", "status": FlightStatus.BOARDING, "scheduled": NOW + timedelta(minutes=10)}
        ),
    ]
    store.apply_snapshot(FlightBoard(direction=DEP, revision=1, flights=flights, site=SITE, tz=TZ))
    shown = show(store, size=(1080, 1920), mode="gate", gate="7")
    assert shown.body.currentWidget() is shown.gate
    assert shown.title.full_text == "7 号登机口"
    assert shown.gate.number.full_text == flights[0].number
    assert shown.gate.status.full_text == "登机"
    assert flights[1].number in shown.gate.next.full_text
    departed = flights[0].model_copy(update={"status": FlightStatus.DEPARTED, "actual": NOW})
    store.apply_update(FlightUpdate(direction=DEP, base_revision=1, revision=2, changed=[departed]))
    assert shown.gate.number.full_text == flights[1].number, "the next flight moves up once the first has gone"
    assert shown.gate.next.full_text == ""


def test_a_belt_display_shows_the_bags_on_it_and_the_next_flight(show, tmp_path):
    store = FlightStore(tmp_path)
    base = sample_flights(ARR, NOW, 3)
    landed = base[0].model_copy(
        update={"belt": "4", "status": FlightStatus.LANDED, "actual": NOW - timedelta(minutes=5)}
    )
    coming = base[1].model_copy(
        update={
            "belt": "4",
            "status": FlightStatus.APPROACHING,
            "scheduled": NOW + timedelta(minutes=20),
            "actual": None,
        }
    )
    other = base[2].model_copy(update={"belt": "5", "status": FlightStatus.LANDED, "actual": NOW})
    store.apply_snapshot(FlightBoard(direction=ARR, revision=1, flights=[landed, coming, other], site=SITE, tz=TZ))
    shown = show(store, mode="belt", belt="4")
    assert shown.body.currentWidget() is shown.belt
    shown.next_language()
    assert shown.title.full_text == "Baggage belt 4"
    flight_label, city_label, status_label = shown.belt.lines[0]
    assert flight_label.full_text == landed.number
    assert city_label.full_text == landed.city_en
    assert status_label.full_text.startswith("Bags on belt")
    assert not shown.belt.lines[1][0].isVisible(), "the flight on another belt is not shown"
    assert coming.number in shown.belt.next.full_text


def test_a_mode_without_its_gate_or_belt_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match='mode "gate" needs the gate'):
        DisplaySection(mode="gate")
    with pytest.raises(ValueError, match="give both off_at and on_at"):
        ScheduleSection(off_at="01:00")
    with pytest.raises(ValueError, match="not a time of day"):
        ScheduleSection(off_at="25:00", on_at="05:00")


def test_the_screen_is_dark_at_night_and_a_command_overrides_it_until_the_next_switch(show, tmp_path):
    now = [datetime(2026, 11, 30, 2, 0)]
    control = ScreenControl(ScreenSchedule(ScheduleSection(off_at="23:30", on_at="05:30")), clock=lambda: now[0])
    shown = build_board((800, 480), sample_store(tmp_path))
    shown.screen_control = control
    shown.apply_screen()
    try:
        assert not shown.lit
        assert not shown.rotation_timer.isActive() and not shown.page_timer.isActive()
        handler = screen_command(control, shown.apply_screen)
        detail = asyncio.run(handler({"state": "on"}))
        assert detail == "screen on until the schedule's next switch at 05:30"
        assert shown.lit and shown.page_timer.isActive()
        now[0] = datetime(2026, 11, 30, 6, 0)
        shown.check()
        assert shown.lit, "after 05:30 the schedule has it on anyway"
        asyncio.run(handler({"state": "off"}))
        assert not shown.lit
        now[0] = datetime(2026, 11, 30, 23, 0)
        shown.check()
        assert not shown.lit, "off by command until the next switch (23:30)"
        now[0] = datetime(2026, 11, 30, 23, 45)
        asyncio.run(handler({"state": "auto"}))
        assert not shown.lit
        now[0] = datetime(2026, 12, 1, 9, 0)
        shown.check()
        assert shown.lit
        with pytest.raises(CommandRefused, match="on, off or auto"):
            asyncio.run(handler({"state": "dim"}))
        with pytest.raises(CommandRefused, match=r'args \{"state"'):
            asyncio.run(handler({}))
    finally:
        shown.stop()
        shown.close()


def test_schedule_across_midnight_and_within_a_day():
    night = ScreenSchedule(ScheduleSection(off_at="23:30", on_at="05:30"))
    assert not night.lit(datetime(2026, 1, 1, 0, 10))
    assert night.lit(datetime(2026, 1, 1, 12, 0))
    assert not night.lit(datetime(2026, 1, 1, 23, 30))
    assert night.lit(datetime(2026, 1, 1, 5, 30))
    early = ScreenSchedule(ScheduleSection(off_at="01:00", on_at="04:00"))
    assert not early.lit(datetime(2026, 1, 1, 2, 0))
    assert early.lit(datetime(2026, 1, 1, 0, 59))
    assert ScreenSchedule(ScheduleSection()).lit(datetime(2026, 1, 1, 3, 0))


def test_a_change_off_the_page_costs_no_repaint_and_shows_when_its_page_comes(show, tmp_path):
    store = sample_store(tmp_path)
    shown = show(store, rows=10)
    model = shown.models[DEP]
    changed: list[int] = []
    model.dataChanged.connect(lambda top, _bottom: changed.append(top.row()))
    later = model.flight_at(14)
    revision = store.revision(DEP)
    moved = later.model_copy(update={"gate": "40"})
    store.apply_update(FlightUpdate(direction=DEP, base_revision=revision, revision=revision + 1, changed=[moved]))
    assert changed == [], "row 14 is not on the page shown (rows 0-9)"
    shown.next_page()
    assert shown.table.rowAt(4 * shown.table.rowHeight(0) + 1) == 14
    assert model.data(model.index(14, Column.PLACE)) == "40"
    shown.table.viewport().grab()  # the page as drawn now
    again = moved.model_copy(update={"gate": "41"})
    store.apply_update(FlightUpdate(direction=DEP, base_revision=revision + 1, revision=revision + 2, changed=[again]))
    assert changed == [14], "on the page shown now, the row is repainted"
