"""Health figures, with Raspberry Pi sysfs files faked in a temporary tree."""

from __future__ import annotations

from device.health import HealthProbe, read_temperature_c, read_throttled


def test_pi_temperature_and_throttling_are_read_from_sysfs(tmp_path):
    zone = tmp_path / "thermal_zone0" / "temp"
    zone.parent.mkdir()
    zone.write_text("61234\n")
    throttled = tmp_path / "get_throttled"
    throttled.write_text("0x50005\n")
    assert read_temperature_c(zone) == 61.234
    assert read_throttled(throttled) is True
    throttled.write_text("0x50000\n")  # happened since boot, not now
    assert read_throttled(throttled) is False


def test_missing_or_garbled_sysfs_files_mean_unknown(tmp_path):
    garbled = tmp_path / "temp"
    garbled.write_text("hot")
    assert read_temperature_c(garbled) is None
    assert read_throttled(tmp_path / "absent") is None


def test_a_sample_has_the_figures_the_fleet_console_shows(tmp_path):
    sample = HealthProbe(tmp_path, tmp_path / "none", tmp_path / "none").sample()
    assert 0 <= sample.cpu_percent <= 100
    assert 0 < sample.memory_percent <= 100
    assert sample.app_rss_mb > 10
    assert sample.uptime_s >= 0
    assert sample.temperature_c is None and sample.throttled is None
