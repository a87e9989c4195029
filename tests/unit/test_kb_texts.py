"""The knowledge base's strings: the same keys in English and Chinese, and every key its page and the
console's panel name exists; article text reaches the page only as text."""

from __future__ import annotations

import re

from central.web.pages import STATIC_DIR

KEY = re.compile(r'^\s*"([a-z_.]+)":', re.MULTILINE)
SCRIPTS = ("kb.js", "agent-kb.js")


def catalogue_keys(name: str) -> set[str]:
    source = (STATIC_DIR / "kb-text.js").read_text()
    start = source.index(f"const {name} = {{")
    return set(KEY.findall(source[start : source.index("\n};", start)]))


def test_both_languages_have_the_same_keys() -> None:
    english, chinese = catalogue_keys("en"), catalogue_keys("zhCN")
    assert english, "keys found"
    assert english == chinese, f"only in en: {english - chinese}; only in zh-CN: {chinese - english}"


def test_every_key_the_page_and_the_panel_name_is_in_the_catalogue() -> None:
    keys = catalogue_keys("en")
    named = set(re.findall(r'data-t="(kb\.[a-z_.]+)"', (STATIC_DIR / "kb.html").read_text()))
    named |= set(re.findall(r'data-kb-t="(kb\.[a-z_.]+)"', (STATIC_DIR / "agent.html").read_text()))
    for script in SCRIPTS:
        named |= set(re.findall(r'"(kb\.[a-z_.]+)"', (STATIC_DIR / script).read_text()))
    assert len(named) > 20 and named <= keys, f"missing: {named - keys}"


def test_article_text_is_never_set_as_markup() -> None:
    for script in (*SCRIPTS, "kb-text.js"):
        source = (STATIC_DIR / script).read_text()
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", source), script
