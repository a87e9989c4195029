"""The points' counts outlive a restart of central (in their JSON file or in PostgreSQL), hold nothing but
numbers, and a damaged file or table only means counting from now."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import psycopg
import pytest

from central.points.counts import SCHEMA_VERSION, PointCounts, PointCountsError
from central.points.registry import load_registry


def test_counts_saved_are_the_counts_read_back(tmp_path: Path) -> None:
    file = tmp_path / "point-counts.json"
    counts = PointCounts(file, clock=lambda: 1000.0)
    counts.seen("T1-GATE-1", scanned=True)
    counts.seen("T1-GATE-1", scanned=False)
    counts.save()
    again = PointCounts(file, clock=lambda: 2000.0)
    view = again.view(load_registry())
    assert view["since"] == 1000.0
    assert view["points"]["T1-GATE-1"] == {"views": 2, "scans": 1}
    assert view["points"]["GTC-P1"] == {"views": 0, "scans": 0}
    assert set(json.loads(file.read_text())) == {"since", "views", "scans"}  # numbers only, nobody's data


@pytest.mark.parametrize(
    "text", ["", "{", "[]", '{"since": 1}', '{"since": 1, "views": {"../x": 1}, "scans": {}}',
             '{"since": 1, "views": {"A": -1}, "scans": {}}', '{"since": "x", "views": {}, "scans": {}}']
)  # fmt: skip
def test_a_damaged_file_means_counting_from_now(tmp_path: Path, text: str, caplog: pytest.LogCaptureFixture) -> None:
    file = tmp_path / "point-counts.json"
    file.write_text(text)
    counts = PointCounts(file, clock=lambda: 5.0)
    assert counts.since == 5.0 and not counts.views
    assert "unreadable" in caplog.text


def test_counts_kept_in_postgresql_are_the_counts_read_back_and_only_changes_are_written(postgres_url: str) -> None:
    counts = PointCounts(postgres_url, clock=lambda: 1000.0)
    assert counts.table is not None and counts.file is None
    counts.seen("T1-GATE-1", scanned=True)
    counts.seen("T1-GATE-1", scanned=False)
    counts.seen("GTC-P1", scanned=False)
    counts.save()
    counts.seen("GTC-P1", scanned=True)
    with psycopg.connect(postgres_url, autocommit=True) as db:  # a row this run does not touch again stays
        db.execute("UPDATE point_counts SET views = 40 WHERE point_id = 'T1-GATE-1'")
    counts.save()
    asyncio.run(counts.stop())  # saves nothing new, and lets the connection go
    assert counts.table is None

    again = PointCounts(postgres_url, clock=lambda: 2000.0)
    try:
        view = again.view(load_registry())
        assert view["since"] == 1000.0
        assert view["points"]["T1-GATE-1"] == {"views": 40, "scans": 1}
        assert view["points"]["GTC-P1"] == {"views": 2, "scans": 1}
    finally:
        asyncio.run(again.stop())


def test_rows_nobody_could_have_written_mean_counting_from_now(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    asyncio.run(PointCounts(postgres_url).stop())
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("INSERT INTO point_counts VALUES ('../x', 1, 0, 5.0)")
    counts = PointCounts(postgres_url, clock=lambda: 9.0)
    try:
        assert counts.since == 9.0 and not counts.views
        assert "point counts in PostgreSQL unreadable" in caplog.text
    finally:
        asyncio.run(counts.stop())


def test_a_save_that_fails_is_tried_again_at_the_next(postgres_url: str, caplog: pytest.LogCaptureFixture) -> None:
    counts = PointCounts(postgres_url, clock=lambda: 1.0)
    counts.seen("GTC-P1", scanned=False)
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("ALTER TABLE point_counts RENAME TO point_counts_away")
        counts.save()
        assert "point counts not saved to PostgreSQL" in caplog.text
        db.execute("ALTER TABLE point_counts_away RENAME TO point_counts")
    asyncio.run(counts.stop())
    again = PointCounts(postgres_url, clock=lambda: 2.0)
    try:
        assert again.views == {"GTC-P1": 1}
    finally:
        asyncio.run(again.stop())


def test_a_table_from_a_newer_program_is_refused_with_both_versions(postgres_url: str) -> None:
    asyncio.run(PointCounts(postgres_url).stop())
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("UPDATE schema_versions SET version = 99 WHERE store = 'point counts'")
    with pytest.raises(
        PointCountsError, match=re.escape(f"point counts schema 99 is newer than this program's ({SCHEMA_VERSION})")
    ):
        PointCounts(postgres_url)
