"""The CSV feed's parser: a header row of our record fields (:mod:`central.feeds.records`), then one
flight per row. UTF-8, with or without a byte-order mark; columns it does not know are ignored. Pure."""

from __future__ import annotations

import csv
import io

from central.feeds.json_feed import ParsedRecords
from central.feeds.legs import FeedError
from central.feeds.records import FIELDS, leg_from_record

MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
MAX_ROWS = 10_000


def parse(document: bytes) -> ParsedRecords:
    """Every good row's leg, and a reason per bad row; a file without a usable header raises FeedError."""
    if len(document) > MAX_DOCUMENT_BYTES:
        raise FeedError(f"file of {len(document)} bytes exceeds {MAX_DOCUMENT_BYTES}")
    try:
        text = document.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FeedError("file is not UTF-8") from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise FeedError(f"not CSV: {exc}") from None
    if not rows:
        raise FeedError("empty file: a header row is needed")
    header = [name.strip().lower() for name in rows[0]]
    if "flight" not in header and not {"airline", "number"} <= set(header):
        raise FeedError("the header names no flight column")
    if len(rows) - 1 > MAX_ROWS:
        raise FeedError(f"{len(rows) - 1} rows; at most {MAX_ROWS}")
    result = ParsedRecords()
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            if len(row) > len(header):
                raise FeedError(f"{len(row)} cells under a header of {len(header)}")
            record = {name: cell for name, cell in zip(header, row, strict=False) if name in FIELDS and cell.strip()}
            result.legs.append(leg_from_record(record))
        except FeedError as exc:
            result.rejected.append(f"line {line}: {exc}")
    return result
