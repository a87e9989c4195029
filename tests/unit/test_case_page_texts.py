"""The case desk's and the passenger page's texts exist in English and Chinese with the same keys."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "central" / "web" / "static"
NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="needs node to read the catalogues")
@pytest.mark.parametrize("name", ["case.js", "cases.js"])
def test_both_catalogues_have_the_same_keys(name: str) -> None:
    source = (STATIC / name).read_text(encoding="utf-8")
    start = source.index("const TEXTS = ")
    end = source.index("\n};\n", start) + 3
    script = source[start:end] + "\nprocess.stdout.write(JSON.stringify(Object.fromEntries("
    script += "Object.entries(TEXTS).map(([k, v]) => [k, Object.keys(v).sort()]))));"
    keys = json.loads(subprocess.run([NODE, "-e", script], capture_output=True, text=True, check=True).stdout)  # type: ignore[list-item]
    assert keys["en"] == keys["zh-CN"]
    assert len(keys["en"]) > 20
