"""The alert list's strings: English and Chinese have the same keys and placeholders, and every alert kind
central raises has a name in both."""

from __future__ import annotations

import json
import re

from central.alerts.rules import Rule
from central.web.pages import STATIC_DIR

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def catalogues() -> dict[str, dict[str, str]]:
    source = (STATIC_DIR / "facilities-alerts-text.js").read_text(encoding="utf-8")
    body = source[source.index("export const TEXT = ") + len("export const TEXT = ") :].strip().removesuffix(";")
    found: dict[str, dict[str, str]] = json.loads(body)
    return found


def test_both_languages_have_the_same_keys_and_placeholders():
    text = catalogues()
    assert set(text) == {"en", "zh-CN"}
    assert set(text["en"]) == set(text["zh-CN"])
    for key, english in text["en"].items():
        assert set(PLACEHOLDER.findall(english)) == set(PLACEHOLDER.findall(text["zh-CN"][key])), key
        assert text["zh-CN"][key].strip(), key


def test_every_alert_kind_has_a_name():
    text = catalogues()
    for rule in Rule:
        assert f"kind.{rule.value}" in text["en"], rule


def test_the_page_has_one_alert_section_and_its_script():
    page = (STATIC_DIR / "facilities.html").read_text(encoding="utf-8")
    assert page.count('id="alerts"') == 1
    assert '<script type="module" src="/static/facilities-alerts.js"></script>' in page
    script = (STATIC_DIR / "facilities-alerts.js").read_text(encoding="utf-8")
    assert "innerHTML" not in script  # what comes from the network is set as text only
