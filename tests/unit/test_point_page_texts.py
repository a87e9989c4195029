"""The phone page's texts: Chinese and English have the same keys and the same placeholders."""

from __future__ import annotations

import json
import re

from central.web.pages import STATIC_DIR


def catalogue() -> dict[str, dict[str, str]]:
    script = (STATIC_DIR / "point.js").read_text(encoding="utf-8")
    found = re.search(r"/\* catalogue \*/(.*?)/\* end catalogue \*/", script, re.S)
    assert found is not None, "point.js keeps its texts between /* catalogue */ and /* end catalogue */"
    texts: dict[str, dict[str, str]] = json.loads(found.group(1))
    return texts


def test_the_page_speaks_chinese_and_english_with_the_same_keys() -> None:
    texts = catalogue()
    assert set(texts) == {"en", "zh-CN"}
    assert set(texts["en"]) == set(texts["zh-CN"])


def test_placeholders_match_across_languages() -> None:
    texts = catalogue()
    for key, english in texts["en"].items():
        assert set(re.findall(r"\{(\w+)\}", english)) == set(re.findall(r"\{(\w+)\}", texts["zh-CN"][key])), key


def test_every_board_status_has_a_name() -> None:
    from bus.messages.flights import FlightStatus

    for status in FlightStatus:
        assert f"status.{status.value}" in catalogue()["en"]
