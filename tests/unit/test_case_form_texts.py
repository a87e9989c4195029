"""The case forms' own texts (the point page's suggestion or complaint form, the agent console's follow-up
case panel): Chinese and English with the same keys and placeholders, and a text for every reason
/api/feedback gives for refusing a passenger's form."""

from __future__ import annotations

import json
import re

import pytest

from central.web.pages import STATIC_DIR

SCRIPTS = ("point-feedback.js", "agent-case.js", "reports-cases.js")


def catalogue(script_name: str) -> dict[str, dict[str, str]]:
    script = (STATIC_DIR / script_name).read_text(encoding="utf-8")
    found = re.search(r"/\* catalogue \*/(.*?)/\* end catalogue \*/", script, re.S)
    assert found is not None, f"{script_name} keeps its texts between /* catalogue */ and /* end catalogue */"
    texts: dict[str, dict[str, str]] = json.loads(found.group(1))
    return texts


@pytest.mark.parametrize("script_name", SCRIPTS)
def test_the_form_speaks_chinese_and_english_with_the_same_keys_and_placeholders(script_name: str) -> None:
    texts = catalogue(script_name)
    assert set(texts) == {"en", "zh-CN"} and set(texts["en"]) == set(texts["zh-CN"])
    for key, english in texts["en"].items():
        assert set(re.findall(r"\{(\w+)\}", english)) == set(re.findall(r"\{(\w+)\}", texts["zh-CN"][key])), key


def test_every_refusal_a_passenger_can_cause_has_a_text() -> None:
    for reason in ("text_missing", "text_too_long", "text_refused", "bad_phone", "unknown_category", "too_many"):
        assert f"error.{reason}" in catalogue("point-feedback.js")["en"]
