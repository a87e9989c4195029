"""The demo's ``--fleet N``: how many simulated devices join the real kiosk and display (40 unless told)."""

from __future__ import annotations

import pytest

from demo.options import parse


def test_the_demo_shows_a_fleet_of_40_unless_told_otherwise() -> None:
    assert parse([]).fleet == 40
    assert parse(["--fleet", "0"]).fleet == 0
    assert parse(["--fleet", "200"]).fleet == 200


@pytest.mark.parametrize("bad", ["-1", "many", "10001", "4.5"])
def test_a_wrong_fleet_size_is_one_line_and_status_2(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        parse(["--fleet", bad])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--fleet" in err and "from 0 to 10000" in err, err
