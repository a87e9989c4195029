"""The demo's small parts: its options, the Qt library check, the display decision, how a child ended."""

from __future__ import annotations

import signal

import pytest

from demo import qt_libraries
from demo.cli import display_mode
from demo.options import parse
from demo.processes import ProgramTrouble, how_it_ended

# `ldd libqxcb.so` of PySide6 6.11 on a Debian 12 server without libxcb-icccm4 and libxcb-keysyms1 (abridged)
LDD_WITHOUT_TWO_LIBRARIES = """\
\tlinux-vdso.so.1 (0x00007ff516484000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x00007ff5163b6000)
\tlibGL.so.1 => /lib/x86_64-linux-gnu/libGL.so.1 (0x00007ff516325000)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007ff516311000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-util.so.1 => /lib/x86_64-linux-gnu/libxcb-util.so.1 (0x00007ff5157b2000)
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibEGL.so.1 => /lib/x86_64-linux-gnu/libEGL.so.1 (0x00007f4e24d05000)
"""


def test_the_missing_libraries_are_read_from_ldd_once_each_and_named_by_their_package():
    missing = qt_libraries.missing_in(LDD_WITHOUT_TWO_LIBRARIES)
    assert missing == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    advice = qt_libraries.advice(missing)
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in advice[0]
    assert advice[1].endswith("sudo apt-get install libxcb-icccm4 libxcb-keysyms1")
    assert "QT_QPA_PLATFORM=offscreen" in advice[2]


def test_a_library_without_a_known_package_is_named_as_it_is():
    assert qt_libraries.packages_for(["libxcb-cursor.so.0", "libweird.so.9"]) == ["libxcb-cursor0", "libweird.so.9"]


def test_every_library_of_the_readme_list_has_its_package():
    readme_list = {
        "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-shape0", "libxkbcommon-x11-0",
        "libegl1", "libgl1", "libfontconfig1", "libdbus-1-3",
    }  # fmt: skip
    assert readme_list <= set(qt_libraries.PACKAGES.values())


def test_the_plugin_is_found_without_importing_qt():
    import sys

    had_qt = "PySide6.QtCore" in sys.modules
    plugin = qt_libraries.xcb_plugin()
    assert plugin is not None and plugin.name == "libqxcb.so"
    assert ("PySide6.QtCore" in sys.modules) == had_qt


@pytest.mark.parametrize(
    ("environ", "window", "platform"),
    [
        ({}, False, "offscreen"),
        ({"DISPLAY": ":0"}, True, None),
        ({"WAYLAND_DISPLAY": "wayland-0"}, True, None),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, False, None),
        ({"QT_QPA_PLATFORM": "offscreen"}, False, None),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, True, None),
    ],
)
def test_the_demo_asks_for_offscreen_only_where_there_is_no_display_and_checks_libraries_only_for_a_window(
    environ, window, platform
):
    assert qt_libraries.wants_a_window(environ) is window
    assert display_mode(environ) == platform


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["--broker", "http://x"], "must be mqtt://host:port or mqtts://host:port"),
        (["--broker", "mqtt://host"], "must be mqtt://host:port"),
        (["--broker", "mqtt://host:99999"], "must be mqtt://host:port"),
        (["--duration", "-5"], "greater than 0 (got '-5')"),
        (["--duration", "0"], "greater than 0"),
        (["--duration", "soon"], "greater than 0"),
        (["--duration", "nan"], "greater than 0"),
        (["--http-port", "0"], "from 1 to 65535"),
        (["--broker-wait", "-1"], "greater than 0"),
    ],
)
def test_a_wrong_option_is_one_line_and_status_2(capsys, argv, complaint):
    with pytest.raises(SystemExit) as exit_:
        parse(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("demo: argument ")
    assert complaint in err


def test_good_options_are_taken():
    options = parse(["--broker", "mqtts://broker.hak.example:8883/", "--duration", "2.5", "--call"])
    assert options.broker == "mqtts://broker.hak.example:8883"
    assert options.duration_s == 2.5
    assert options.call


def test_how_a_program_ended_is_said_in_words():
    assert how_it_ended(2) == "exited with status 2"
    assert how_it_ended(-signal.SIGABRT) == "was killed by SIGABRT"
    trouble = ProgramTrouble("kiosk", "exited with status 1", ["first", "last"])
    assert trouble.lines() == ["kiosk exited with status 1.", "its last output (2 lines):", "  | first", "  | last"]
    assert ProgramTrouble("kiosk", "did not start within 60 s", []).lines()[1] == "it printed nothing."
