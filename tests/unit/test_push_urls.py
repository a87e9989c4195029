"""An address an agent pushes is parsed, not pattern-matched: http or https, a host, nothing hidden."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from bus.messages.call import Push


def push(url: str) -> Push:
    return Push(call="call-1", kind="qr", url=url)


@pytest.mark.parametrize(
    "url",
    ["https://www.hak.example/map?floor=2#gate-12", "http://10.0.0.5:8080/wifi", "https://机场.example/帮助"],
)
def test_a_web_address_is_taken_as_it_is(url: str) -> None:
    assert push(url).url == url


@pytest.mark.parametrize(
    "url",
    [
        "https://www.hak.example/\x00map",  # control characters
        "https://www.hak.example/\nSet-Cookie: x",
        "https://www.hak.example/a b",  # a space shows one thing and scans as another
        "https://www.hak.example\u007f/",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "https://",  # no host
        "https://airport.example@evil.example/",  # shows one host, goes to another
        "https://www.hak.example:99999/",  # no such port
        "HTTPS://" + "a" * 2000 + ".example",  # too long
    ],
)
def test_anything_else_is_refused(url: str) -> None:
    with pytest.raises(ValidationError):
        push(url)


@given(st.text(max_size=300))
def test_whatever_is_accepted_is_a_plain_http_or_https_address(text: str) -> None:
    for candidate in (text, "https://" + text):
        try:
            url = push(candidate).url
        except ValidationError:
            continue
        assert url is not None
        assert url.lower().startswith(("http://", "https://"))
        assert all(ord(ch) > 0x20 and ord(ch) != 0x7F for ch in url)
