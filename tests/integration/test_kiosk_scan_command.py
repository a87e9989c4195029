"""``kiosk scan IMAGE…`` as staff run it: a real process over PNG files, its JSON lines checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import cv2
import pytest

from hardware.scanner.decoder import CodeFormat
from hardware.scanner.samples import Trouble, camera_frame, code_image
from tests.peers.programs import ROOT

UNIQUE = "0W 6325BHU 0880123456789"  # description, check-in, issuance, issue date, document type, issuer, tag
REPEATED = "880" + "1234567890" + " 1" + "HU " + "   " + " " * 16 + " " + "20K" + "Y"  # ... free baggage, fast track
VARIABLE = f">5{len(UNIQUE):02X}{UNIQUE}{len(REPEATED):02X}{REPEATED}"
PASS = (
    "M2ZHANG/SAN MR        E"
    f"DEF456 HAKPEKHU 7181 326Y012A0012 1{len(VARIABLE):02X}{VARIABLE}"  # first leg: version 5
    "DEF456 PEKFRALH 0721 327Y044C0007 100"  # second leg: mandatory items only
    "^104ABCD"
)
BROKEN_PASS = f"M1{'ZHANG/SAN':<20}EDEF456 HAKPEKHU 7181 3X6Y012A0012 100"  # a letter in the date
HOSTILE = "javascript:alert(1)//\u202eevil"


def run_scan(*paths: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "scan", *paths],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def save(path, text, format_, trouble=Trouble.NONE):
    frame = camera_frame(code_image(text, format_) if text else None, trouble, seed=5)
    assert cv2.imwrite(str(path), frame)
    return str(path)


@pytest.mark.slow  # starts the kiosk program
def test_scan_prints_one_json_line_per_code_with_the_boarding_pass(tmp_path):
    assert len(PASS) > 60
    files = [
        save(tmp_path / "pdf417.png", PASS, CodeFormat.PDF417, Trouble.ROTATION),
        save(tmp_path / "aztec.png", PASS, CodeFormat.AZTEC),
        save(tmp_path / "broken.png", BROKEN_PASS, CodeFormat.QR),
        save(tmp_path / "hostile.png", HOSTILE, CodeFormat.DATA_MATRIX),
        save(tmp_path / "empty.png", "", CodeFormat.QR, Trouble.NO_CODE),
    ]
    (tmp_path / "not-an-image.png").write_text("hello")
    done = run_scan(*files, str(tmp_path / "not-an-image.png"), str(tmp_path / "missing.png"))
    assert done.returncode == 1, done.stderr  # two files could not be read: said, and the others still done
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    by_file = {line["file"]: line for line in lines}
    assert len(lines) == 4 and set(by_file) == set(files[:4])

    pdf417 = by_file[files[0]]
    assert (pdf417["format"], pdf417["text"]) == ("PDF417", PASS)
    assert pdf417["boarding_pass"] == {
        "name": "ZHANG/SAN MR",
        "electronic_ticket": "E",
        "version": 5,
        "legs": [
            {
                "pnr": "DEF456",
                "from": "HAK",
                "to": "PEK",
                "carrier": "HU",
                "flight": "7181",
                "date_of_flight": 326,
                "compartment": "Y",
                "seat": "012A",
                "sequence": "0012",
                "status": "1",
            },
            {
                "pnr": "DEF456",
                "from": "PEK",
                "to": "FRA",
                "carrier": "LH",
                "flight": "0721",
                "date_of_flight": 327,
                "compartment": "Y",
                "seat": "044C",
                "sequence": "0007",
                "status": "1",
            },
        ],
        "security": {"type": "1", "data": "ABCD"},
    }
    assert "boarding_pass_error" not in pdf417
    assert by_file[files[1]]["format"] == "Aztec" and by_file[files[1]]["boarding_pass"] == pdf417["boarding_pass"]
    broken = by_file[files[2]]
    assert broken["format"] == "QR" and broken["boarding_pass"] is None
    assert "date of flight" in broken["boarding_pass_error"]
    hostile = by_file[files[3]]
    assert (hostile["format"], hostile["text"], hostile["boarding_pass"]) == ("DataMatrix", HOSTILE, None)
    assert "boarding_pass_error" not in hostile
    assert f"no code found in {files[4]}" in done.stderr
    assert "not-an-image.png is not an image" in done.stderr
    assert "cannot open" in done.stderr and "missing.png" in done.stderr


@pytest.mark.slow  # starts the kiosk program
def test_scan_without_files_says_how_to_use_it():
    done = run_scan()
    assert done.returncode == 2
    assert "IMAGE" in done.stderr
