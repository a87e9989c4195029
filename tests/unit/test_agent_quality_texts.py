"""The console's quality line: its strings in English and Chinese with the same keys, every key it uses
there, and the kiosk's text only ever set as text."""

from __future__ import annotations

import re

from central.web.pages import STATIC_DIR
from video.adaptation import Limit

KEY = re.compile(r'^\s*"([a-z_.]+)":', re.MULTILINE)
SOURCE = (STATIC_DIR / "agent-quality.js").read_text()


def catalogue_keys(name: str) -> set[str]:
    start = SOURCE.index(f"const {name} = {{")
    return set(KEY.findall(SOURCE[start : SOURCE.index("\n};", start)]))


def test_both_languages_have_the_same_keys_and_every_key_used_is_there() -> None:
    english, chinese = catalogue_keys("en"), catalogue_keys("zhCN")
    assert len(english) >= 5 and english == chinese, f"only in en: {english - chinese}; in zh-CN: {chinese - english}"
    used = set(re.findall(r'"(quality\.[a-z_.]+)"', SOURCE.split("const WHY_KEYS", 1)[1]))
    assert used <= english, f"missing: {used - english}"


def test_every_reason_the_kiosk_gives_has_a_translation() -> None:
    for limit in Limit:
        if limit is not Limit.NONE:
            assert f'"{limit}": "quality.why.' in SOURCE or f'{limit}: "quality.why.' in SOURCE, limit


def test_the_kiosks_text_is_never_set_as_markup() -> None:
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", SOURCE)
