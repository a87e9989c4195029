"""The event streams' JSON: what orjson writes reads back as what json would have written, and what orjson
refuses is still written."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from central.web.sse import compact_json, sse

_FINITE = st.floats(allow_nan=False, allow_infinity=False)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | _FINITE | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200)
@given(_JSON)
def test_reads_back_as_the_same_value(data: object) -> None:
    written = compact_json(data)
    assert json.loads(written) == data
    assert b"\n" not in written  # one data line per event


def test_what_orjson_refuses_is_written_by_json() -> None:
    assert json.loads(compact_json({1: "one"})) == {"1": "one"}
    assert json.loads(compact_json({"big": 2**70})) == {"big": 2**70}


def test_a_figure_that_is_not_finite_is_null() -> None:
    # json.dumps would write Infinity and NaN, which a browser's JSON.parse refuses: the page lost the event
    assert compact_json({"cpu": float("inf"), "t": float("nan")}) == b'{"cpu":null,"t":null}'


def test_an_event_is_one_line_of_data() -> None:
    assert sse("device", {"id": "k-1", "text": "a\nb 登机"}) == (
        'event: device\ndata: {"id":"k-1","text":"a\\nb 登机"}\n\n'.encode()
    )
