"""Airport and airline names: coverage the boards need, and what an unknown code shows."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import airportsdata

from bus.airports import airline, airlines, airport, chinese_names, site_zone


def test_the_names_file_covers_150_chinese_and_60_international_airports_all_known_to_airportsdata():
    names = chinese_names()
    known = airportsdata.load("IATA")
    assert sum(1 for n in names.values() if n.region == "cn") >= 150
    assert sum(1 for n in names.values() if n.region == "intl") >= 60
    assert sorted(code for code in names if code not in known) == []


def test_every_row_has_chinese_english_and_toneless_pinyin_of_one_syllable_per_character():
    for code, name in chinese_names().items():
        assert re.fullmatch(r"[A-Z]{3}", code)
        assert re.fullmatch(r"[a-z]+( [a-z]+)*", name.pinyin), code
        assert len(name.pinyin.split()) == len(name.city), (code, name.city, name.pinyin)
        assert name.city_en and name.airport, code


def test_a_code_is_named_in_both_languages_with_pinyin_initials_and_its_time_zone():
    beijing = airport("PEK")
    assert (beijing.city_en, beijing.city_zh, beijing.initials) == ("Beijing", "北京", "bj")
    assert beijing.name_zh == "北京首都"
    assert airport("TFU").city_en == "Chengdu"  # the city passengers say, not the district
    assert airport("CIH").city_pinyin == "chang zhi"  # 长 read as chang here, checked by hand
    assert site_zone("HAK") == ZoneInfo("Asia/Shanghai")


def test_an_unknown_code_shows_the_code():
    unknown = airport("QQQ")
    assert unknown.city("zh-CN") == "QQQ" and unknown.city("en") == "QQQ"
    assert site_zone("QQQ") == ZoneInfo("UTC")
    assert airline("ZZ").name_zh == "ZZ"
    assert airline("HU").name_zh == "海南航空" and "CA" in airlines()
