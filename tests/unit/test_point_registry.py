"""The info point registry: the sample for HAK loads, and every mistake in a file is refused whole with a
message naming the point, its line and its id."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central.points.registry import (
    SAMPLE_REGISTRY,
    RegistryError,
    load_registry,
    parse_registry,
    registry_from_document,
)

GOOD = """
[[point]]
id = "A-1"
name = { zh = "一", en = "One" }
terminal = "T1"
area = "Hall"
floor = "1"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "points.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_sample_registry_for_hak_has_about_twenty_points_with_names_in_both_languages() -> None:
    registry = load_registry()
    assert registry.source == SAMPLE_REGISTRY
    assert 18 <= len(registry) <= 30
    for point in registry:
        assert point.name.zh and point.name.en and point.terminal and point.services


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (
            'id = "A-1"\nname = { zh = "二", en = "Two" }\nterminal = "T1"\narea = "Hall"\nfloor = "1"',
            "point 2 (line 9), id 'A-1': the id is used by point 1 already",
        ),
        (
            'id = "bad id!"\nname = { zh = "二", en = "Two" }\nterminal = "T1"\narea = "Hall"\nfloor = "1"',
            "point 2 (line 9), id 'bad id!': id: String should match pattern",
        ),
        (
            'id = "B"\nname = { zh = "二" }\nterminal = "T1"\narea = "Hall"\nfloor = "1"',
            "point 2 (line 9), id 'B': name.en: Field required",
        ),
        (
            'id = "B"\nname = { zh = "二", en = "x\\u0007" }\nterminal = "T1"\narea = "Hall"\nfloor = "1"',
            "name.en: Value error, must not contain control characters",
        ),
        (
            'id = "B"\nname = { zh = "二", en = "Two" }\nterminal = "T1"\narea = "Hall"\nflor = "1"',
            "floor: Field required; flor: Extra inputs are not permitted",
        ),
        (
            'id = "B"\nname = { zh = "二", en = "Two" }\nterminal = "T1"\narea = "Hall"\nfloor = "1"\nmap = "x.svg"',
            "map 'x.svg' must be a .png, .jpg, .jpeg, .webp image",
        ),
        (
            'id = "B"\nname = { zh = "二", en = "Two" }\nterminal = "T1"\narea = "Hall"\nfloor = "1"\nmap = "gone.png"',
            "map 'gone.png' not found",
        ),
        (
            'id = "stats"\nname = { zh = "二", en = "Two" }\nterminal = "T1"\narea = "Hall"\nfloor = "1"',
            "the id 'stats' is reserved",
        ),
        (
            'id = "B"\nname = { zh = "二", en = "Two" }\nterminal = "T1"\narea = "Hall"\nfloor = "1"\n'
            'services = [{ zh = "", en = "x" }]',
            "services.0.zh",
        ),
    ],
)
def test_a_bad_point_is_named_with_its_line_and_id(tmp_path: Path, second: str, expected: str) -> None:
    path = write(tmp_path, GOOD + "\n[[point]]\n" + second + "\n")
    with pytest.raises(RegistryError) as error:
        load_registry(path)
    assert str(error.value).startswith(str(path))
    assert expected in str(error.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "no points"),
        ("[[point]\nid=1", "not valid TOML"),
        ('[points]\nid = "x"', "unknown top-level entries points"),
        ("\xff", "not valid TOML"),
    ],
)
def test_a_file_that_is_not_a_registry_says_why(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(RegistryError, match=expected):
        load_registry(write(tmp_path, text))


def test_a_missing_file_or_one_not_in_utf8_says_so(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="cannot read the points file"):
        load_registry(tmp_path / "nowhere.toml")
    (tmp_path / "latin1.toml").write_bytes(GOOD.replace("一", "x").replace("One", "Caf\xe9").encode("latin-1"))
    with pytest.raises(RegistryError, match="cannot read the points file"):
        load_registry(tmp_path / "latin1.toml")


FIELDS = ("id", "name", "terminal", "area", "floor", "services", "map", "zh", "en", "other")
_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_registry_or_a_registry_error(text: str) -> None:
    try:
        parse_registry(text, Path("points.toml"))
    except RegistryError as error:
        assert str(error).startswith("points.toml")


@settings(max_examples=20, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(FIELDS), _values, max_size=8), min_size=1, max_size=3))
def test_any_shape_of_points_gives_a_registry_or_a_registry_error(points: list[dict[str, object]]) -> None:
    try:
        registry_from_document({"point": points}, Path("points.toml"))
    except RegistryError as error:
        assert re.match(r"points\.toml: point [123]", str(error)), str(error)
