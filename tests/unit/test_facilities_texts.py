"""The device page's strings: the same keys in English and Chinese, and every key the pages name exists."""

from __future__ import annotations

import re

from central.web.pages import STATIC_DIR

KEY = re.compile(r'^\s*"([a-z_.]+)":', re.MULTILINE)


def catalogue_keys(name: str) -> set[str]:
    source = (STATIC_DIR / "facilities-text.js").read_text()
    start = source.index(f"const {name} = {{")
    return set(KEY.findall(source[start : source.index("\n};", start)]))


def test_both_languages_have_the_same_keys():
    english, chinese = catalogue_keys("en"), catalogue_keys("zhCN")
    assert english, "keys found"
    assert english == chinese, f"only in en: {english - chinese}; only in zh-CN: {chinese - english}"


def test_every_key_the_pages_name_is_in_the_catalogue():
    keys = catalogue_keys("en")
    named = set()
    for page in ("facilities-device.html", "facilities.html"):
        named |= set(re.findall(r'data-t="([a-z_.]+)"', (STATIC_DIR / page).read_text()))
    for script in ("facilities-device.js", "facilities-table.js"):
        source = (STATIC_DIR / script).read_text()
        named |= {key for key in re.findall(r'"((?:device|cmd|chart|filter|notice|field|send)\.[a-z_.]+)"', source)}
    assert named and named <= keys, f"missing: {named - keys}"
