"""``[http]`` settings that decide who central answers, read and refused like any other setting."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from central.settings import HttpSection
from central.web.policy import web_policy


def test_trusted_proxies_must_be_addresses_or_networks() -> None:
    assert HttpSection(trusted_proxies=["10.0.0.5", "10.1.0.0/16", "::1"]).trusted_proxies
    with pytest.raises(ValidationError, match="not an IP address or network"):
        HttpSection(trusted_proxies=["proxy.example"])


@pytest.mark.parametrize("url", ["ftp://central.example", "https://", "https://a b", "central.example"])
def test_a_public_url_must_be_http_or_https_with_a_host(url: str) -> None:
    with pytest.raises(ValidationError):
        HttpSection(public_url=url)


def test_the_allowed_hosts_are_loopback_the_listen_host_the_public_url_and_the_listed() -> None:
    policy = web_policy("10.3.0.7", "https://central.hak.example/", ["Wallboard.HAK.example"], [], 8, 500)
    for host in (
        "localhost:8080",
        "127.0.0.1",
        "[::1]:8080",
        "10.3.0.7:8080",
        "central.hak.example",
        "wallboard.hak.example",
    ):
        assert policy.host_allowed(host), host
    for host in (None, "", "evil.example", "central.hak.example.evil.example", "10.3.0.8"):
        assert not policy.host_allowed(host), host
    assert policy.https
    assert not web_policy("0.0.0.0", "http://central.example", [], [], 8, 500).host_allowed("0.0.0.0")
