"""A settings error names what is wrong and never prints a secret, however deep it sits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from central.settings import CentralSettings
from config.loader import SettingsError, load_settings

SECRET = "Turn-Secret-7f3a9c"


def error_text(excinfo: pytest.ExceptionInfo[SettingsError]) -> str:
    return str(excinfo.value)


@pytest.mark.parametrize(
    "value",
    [
        json.dumps([{"urls": "turn:turn.hak.example", "credential": SECRET}, 7]),  # a bad neighbour
        json.dumps([{"urls": "turn:turn.hak.example", "credential": SECRET}])[:-3],  # not JSON at all
        json.dumps({"urls": ["turn:turn.hak.example"], "username": "u", "credential": SECRET}),  # not a list
        json.dumps([{"urls": 5, "username": "u", "credential": SECRET}]),
    ],
)
def test_turn_credentials_never_appear_in_an_error_from_the_environment(value: str) -> None:
    with pytest.raises(SettingsError) as excinfo:
        load_settings(CentralSettings, "CENTRAL_", None, environ={"CENTRAL_CALLS__ICE_SERVERS": value})
    assert "ice_servers" in error_text(excinfo)
    assert SECRET not in error_text(excinfo)


def test_turn_credentials_never_appear_in_an_error_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "central.toml"
    path.write_text(
        "[calls]\n"
        f'ice_servers = [{{urls = 5, username = "u", credential = "{SECRET}"}}, "{SECRET}-in-a-list"]\n'
        f'[bus]\npassword = 12\nusername = ["{SECRET}"]\n'
    )
    with pytest.raises(SettingsError) as excinfo:
        load_settings(CentralSettings, "CENTRAL_", path, environ={})
    assert "ice_servers" in error_text(excinfo)
    assert SECRET not in error_text(excinfo)
