"""Wi-Fi voucher codes: each pool code once, also across restarts; generated ones are easy to type."""

from __future__ import annotations

import pytest

from kiosk.printing.wifi import CODE_ALPHABET, GENERATED_LENGTH, NoWifiCodes, WifiCodes


def test_pool_codes_are_handed_out_once_each_across_a_restart_then_refused(tmp_path):
    pool = tmp_path / "codes.txt"
    pool.write_text("# codes for December\nAAAA1111\n\nBBBB2222\nCCCC3333\n", encoding="utf-8")
    codes = WifiCodes(pool, tmp_path / "state.sqlite3")
    assert [codes.next_code(), codes.next_code()] == ["AAAA1111", "BBBB2222"]
    codes.close()
    again = WifiCodes(pool, tmp_path / "state.sqlite3")
    assert again.next_code() == "CCCC3333"
    with pytest.raises(NoWifiCodes, match=r"every code in .* has been handed out"):
        again.next_code()
    again.close()


def test_a_missing_pool_file_is_a_clear_error(tmp_path):
    codes = WifiCodes(tmp_path / "nowhere.txt", tmp_path / "state.sqlite3")
    with pytest.raises(NoWifiCodes, match="cannot read the Wi-Fi code pool"):
        codes.next_code()
    codes.close()


def test_generated_codes_avoid_look_alike_characters(tmp_path):
    codes = WifiCodes(None, tmp_path / "state.sqlite3")
    made = {codes.next_code() for _ in range(50)}
    assert len(made) == 50
    assert all(len(code) == GENERATED_LENGTH and set(code) <= set(CODE_ALPHABET) for code in made)
    assert not set("01OIL") & set(CODE_ALPHABET)
    codes.close()
