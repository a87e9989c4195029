"""Settings from a TOML file plus prefixed environment variables, and what bad input gets."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from central.settings import CentralSettings
from config.loader import SettingsError, load_settings
from kiosk.settings import KioskSettings


def write(tmp_path, text: str):
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_gives_working_defaults():
    settings = load_settings(KioskSettings, "KIOSK_", None, environ={})
    assert settings.bus.url == "mqtt://127.0.0.1:1883"
    assert settings.bus.topic_root == "airport/HAK"
    assert settings.ui.language == "zh-CN"


def test_file_values_are_used_and_environment_overrides_them(tmp_path):
    path = write(tmp_path, '[bus]\nurl = "mqtts://broker.example:8883"\nsite = "PEK"\n[ui]\nidle_timeout_s = 45\n')
    settings = load_settings(KioskSettings, "KIOSK_", path, environ={"KIOSK_BUS__SITE": "CAN", "OTHER_BUS__SITE": "X"})
    assert settings.bus.site == "CAN"
    assert settings.bus.tls and settings.bus.host == "broker.example" and settings.bus.port == 8883
    assert settings.bus.topic_root == "airport/CAN"
    assert settings.ui.idle_timeout_s == 45


def test_environment_values_are_converted_to_the_field_type():
    settings = load_settings(KioskSettings, "KIOSK_", None, environ={"KIOSK_UI__FULLSCREEN": "false"})
    assert settings.ui.fullscreen is False


def test_unknown_keys_are_warned_about_by_name(tmp_path, caplog):
    path = write(tmp_path, '[bus]\nulr = "mqtt://x:1"\n[uii]\na = 1\n')
    with caplog.at_level(logging.WARNING):
        load_settings(KioskSettings, "KIOSK_", path, environ={})
    assert "bus.ulr" in caplog.text
    assert "uii" in caplog.text


@pytest.mark.parametrize(
    ("toml", "key", "expected"),
    [
        ('[bus]\nurl = "http://x"\n', "bus.url", "mqtt://host:port"),
        ('[bus]\nsite = "hak"\n', "bus.site", "IATA"),
        ('[bus]\ndevice_id = "Kiosk 1"\n', "bus.device_id", "lower-case"),
        ("[ui]\nidle_timeout_s = -3\n", "ui.idle_timeout_s", "Seconds"),
        ('[ui]\nlanguage = "fr"\n', "ui.language", "zh-CN"),
        ('[ui]\nfullscreen = "maybe"\n', "ui.fullscreen", "Fill the screen"),
    ],
)
def test_a_wrong_value_names_the_key_and_the_expected_form(tmp_path, toml, key, expected):
    with pytest.raises(SettingsError) as error:
        load_settings(KioskSettings, "KIOSK_", write(tmp_path, toml), environ={})
    assert key in str(error.value)
    assert expected in str(error.value)


@pytest.mark.parametrize(
    ("variable", "value", "key", "in_words"),
    [
        ("KIOSK_BUS__URL", "http://x", "bus.url", "mqtt://host:port"),
        ("KIOSK_BUS__DEVICE_ID", "Kiosk 1", "bus.device_id", "lower-case letters, digits and '-'"),
        ("KIOSK_BUS__SITE", "hak", "bus.site", "IATA code"),
        ("KIOSK_APP__LOG_LEVEL", "loud", "app.log_level", "DEBUG, INFO, WARNING or ERROR"),
    ],
)
def test_a_wrong_value_from_the_environment_names_the_variable_and_says_in_words_what_it_must_be(
    tmp_path, variable, value, key, in_words
):
    path = write(tmp_path, '[bus]\nurl = "mqtt://broker.example:1883"\n')
    with pytest.raises(SettingsError) as error:
        load_settings(KioskSettings, "KIOSK_", path, environ={variable: value})
    (line,) = error.value.problems
    assert line.startswith(f"bad setting {key} from environment variable {variable}:")
    assert in_words in line
    assert str(path) not in line  # the file was not where the value came from
    for regex_mark in ("^", "$", "{1,", "[a-z", "pattern"):
        assert regex_mark not in line


def test_a_wrong_value_from_the_file_names_the_file_section_and_key(tmp_path):
    path = write(tmp_path, '[bus]\nsite = "hak"\n[ui]\nidle_timeout_s = "soon"\n')
    with pytest.raises(SettingsError) as error:
        load_settings(KioskSettings, "KIOSK_", path, environ={})
    problems = sorted(error.value.problems)
    assert len(problems) == 2
    assert problems[0].startswith(f"bad setting bus.site in {path}, section [bus] key site: not in the expected form")
    assert problems[1].startswith(f"bad setting ui.idle_timeout_s in {path}, section [ui] key idle_timeout_s:")
    assert "should be a number (got 'soon')" in problems[1]


def test_a_bad_password_value_is_not_echoed(tmp_path):
    path = tmp_path / "central.toml"
    path.write_text("[bus]\npassword = 12345\n")
    with pytest.raises(SettingsError) as error:
        load_settings(CentralSettings, "CENTRAL_", path, environ={})
    assert "bus.password" in str(error.value)
    assert "12345" not in str(error.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"[bus\nurl=", "not valid TOML"), (b"\xff\xfe[bus]", "not UTF-8")],
)
def test_a_broken_file_is_reported_as_such(tmp_path, content, message):
    path = tmp_path / "broken.toml"
    path.write_bytes(content)
    with pytest.raises(SettingsError, match=message):
        load_settings(KioskSettings, "KIOSK_", path, environ={})


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(KioskSettings, "KIOSK_", tmp_path / "nope.toml", environ={})


def test_the_kiosk_program_exits_2_with_one_clear_message(tmp_path):
    path = write(tmp_path, "[health]\ninterval_s = 0\n")
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "health.interval_s" in result.stderr
    assert "Traceback" not in result.stderr


def test_each_problem_is_one_line_of_the_program_naming_its_source(tmp_path):
    path = write(tmp_path, '[bus]\nsite = "hak"\n')
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "KIOSK_BUS__URL": "http://x"},
    )
    assert result.returncode == 2
    problems = [line for line in result.stderr.splitlines() if line.startswith("kiosk: bad setting")]
    assert len(problems) == 2, result.stderr
    assert any("bus.url from environment variable KIOSK_BUS__URL" in line for line in problems)
    assert any(f"bus.site in {path}" in line for line in problems)
    assert "Traceback" not in result.stderr


def test_the_configuration_reference_is_in_step_with_the_code():
    from pathlib import Path

    from config.reference import render

    doc = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
    assert doc.read_text(encoding="utf-8") == render(), "run: python -m config.reference > docs/configuration.md"
