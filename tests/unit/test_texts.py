"""Every text shown to people exists in both languages and fills its placeholders."""

from __future__ import annotations

import re

import pytest

from device.i18n import Catalogue


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.from_package("kiosk")


def test_kiosk_speaks_chinese_and_english(catalogue):
    assert set(catalogue.languages) >= {"zh-CN", "en"}


def test_every_language_has_every_key(catalogue):
    english = catalogue.keys("en")
    for language in catalogue.languages:
        assert catalogue.keys(language) == english, language


def test_placeholders_match_across_languages(catalogue):
    def names(language, key):
        return set(re.findall(r"\{(\w+)\}", catalogue.text(language, key)))

    for key in catalogue.keys("en"):
        assert names("zh-CN", key) == names("en", key), key


def test_a_missing_text_falls_back_to_english_and_is_logged_once(caplog):
    catalogue = Catalogue({"en": {"a": "Hello {name}"}, "zh-CN": {}})
    assert catalogue.text("zh-CN", "a", name="Li") == "Hello Li"
    catalogue.text("zh-CN", "a", name="Li")
    assert caplog.text.count("no zh-CN text for 'a'") == 1
