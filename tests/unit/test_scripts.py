"""The shell scripts behave the same on every run, whatever the machine has installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = [ROOT / "scripts" / name for name in ("test", "demo", "check-system")] + [ROOT / ".ci" / "run"]
# Under `set -o pipefail` a reader that exits at its first match (grep -q, head) makes the writer die of
# SIGPIPE, and the pipeline fails whenever the writer had more to say.
EARLY_EXIT_PIPE = re.compile(r"\|\s*(grep\s+-[A-Za-z]*q|head\b)")


def fake_bin(tmp_path: Path, fonts: int) -> Path:
    """A PATH with the commands the tests need and an fc-list that knows `fonts` fonts, one of them CJK."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in (
        "mosquitto",
        "mosquitto_passwd",
        "socat",
        "chromium",
        "pdftoppm",
        "pdftotext",
        "shellcheck",
        "systemd-analyze",
    ):
        (bin_dir / name).write_text("#!/bin/sh\nexit 0\n")
    lines = ["/usr/share/fonts/truetype/wqy/wqy-microhei.ttc: WenQuanYi Micro Hei"]
    lines += [f"/usr/share/fonts/latin/font{i:05}.ttf: Latin Sans {i}" for i in range(fonts)]
    (tmp_path / "fonts.txt").write_text("\n".join(lines) + "\n")
    # fontconfig's own language filter: `fc-list :lang=zh` lists only the fonts that cover Chinese.
    (bin_dir / "fc-list").write_text(
        f'#!/bin/sh\ncase "$1" in :lang=zh*) head -n 1 {tmp_path}/fonts.txt ;; *) cat {tmp_path}/fonts.txt ;; esac\n'
    )
    for path in bin_dir.iterdir():
        path.chmod(0o755)
    # only these on PATH, so what this machine has installed does not count
    for tool in ("bash", "cat", "head"):
        (bin_dir / tool).symlink_to(shutil.which(tool) or f"/bin/{tool}")
    return bin_dir


def check_system(bin_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": str(bin_dir)}
    return subprocess.run([str(ROOT / "scripts" / "check-system")], env=env, capture_output=True, text=True, timeout=60)


def test_a_machine_with_many_fonts_has_its_cjk_font_found_every_time(tmp_path):
    bin_dir = fake_bin(tmp_path, fonts=20_000)  # far more than a pipe buffer holds
    for _ in range(5):
        result = check_system(bin_dir)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == ""


def test_a_machine_without_a_cjk_font_is_told_so(tmp_path):
    bin_dir = fake_bin(tmp_path, fonts=3)
    (bin_dir / "fc-list").write_text("#!/bin/sh\nexit 0\n")
    (bin_dir / "chromium").unlink()
    result = check_system(bin_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["chromium", "a", "CJK", "font"]


def test_no_script_pipes_into_a_reader_that_exits_early():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in SCRIPTS
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if EARLY_EXIT_PIPE.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []
