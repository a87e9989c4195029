"""``kiosk scan IMAGE…``: the codes in image files as JSON lines, for staff checking a pass a kiosk would not
read. One line per code: ``file``, ``format``, ``text``, ``boarding_pass`` (null unless the code is one) and,
for a code that starts like a pass and is not one, ``boarding_pass_error``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

import cv2
import numpy as np

from hardware.scanner.bcbp import BoardingPassError, JsonValue, as_json, claims_to_be_boarding_pass, parse
from hardware.scanner.decoder import Code, decode

MAX_IMAGE_BYTES = 50 * 1024 * 1024  # a photo of a pass is a few MB; larger is not an image we want to decode


class UnreadableImage(Exception):
    """The file is missing, too large, or not an image OpenCV can read."""


def code_line(file: str, code: Code) -> dict[str, JsonValue]:
    line: dict[str, JsonValue] = {"file": file, "format": code.format.value, "text": code.text, "boarding_pass": None}
    if claims_to_be_boarding_pass(code.text):
        try:
            line["boarding_pass"] = as_json(parse(code.text))
        except BoardingPassError as exc:
            line["boarding_pass_error"] = exc.reason
    return line


def codes_in_file(path: Path) -> list[Code]:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableImage(f"cannot open {path}: {exc.strerror or exc}") from exc
    if size > MAX_IMAGE_BYTES:
        raise UnreadableImage(f"{path} is {size} bytes, more than {MAX_IMAGE_BYTES}")
    data = np.fromfile(path, dtype=np.uint8)  # imread gives no reason, and refuses some paths
    image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if data.size else None
    if image is None:
        raise UnreadableImage(f"{path} is not an image (PNG, JPEG, …) that can be read")
    return decode(np.asarray(image, dtype=np.uint8))


def scan_files(paths: Iterable[str], out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Print the codes of every file; 0 when every file could be read (with or without codes), else 1."""
    status = 0
    for name in paths:
        try:
            codes = codes_in_file(Path(name))
        except UnreadableImage as exc:
            print(f"kiosk scan: {exc}", file=err)
            status = 1
            continue
        if not codes:
            print(f"kiosk scan: no code found in {name}", file=err)
        for code in codes:
            print(json.dumps(code_line(name, code), ensure_ascii=False), file=out, flush=True)
    return status
