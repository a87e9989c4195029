"""The JSON-over-HTTP feed's parser: a document with a list of flight objects, renamed by a mapping.

``[feeds] json_records`` is the dotted path to the list (empty: the document is the list) and
``[feeds] json_fields`` maps our record fields (:mod:`central.feeds.records`) to the source's keys, also
dotted (``{"std" = "departure.scheduled"}``); unmapped fields keep their own names. Pure: bytes in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from central.feeds.legs import FeedError, Leg
from central.feeds.records import FIELDS, leg_from_record

MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
MAX_RECORDS = 10_000


@dataclass
class ParsedRecords:
    legs: list[Leg] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


def parse(document: bytes, records_path: str = "", fields: Mapping[str, str] | None = None) -> ParsedRecords:
    """Every good record's leg, and a reason per bad one; a document that is no such list raises FeedError."""
    if len(document) > MAX_DOCUMENT_BYTES:
        raise FeedError(f"document of {len(document)} bytes exceeds {MAX_DOCUMENT_BYTES}")
    try:
        data = json.loads(document.decode("utf-8"))
    except UnicodeDecodeError:
        raise FeedError("document is not UTF-8") from None
    except (json.JSONDecodeError, RecursionError):
        raise FeedError("document is not JSON") from None
    records = _at(data, records_path)
    if not isinstance(records, list):
        raise FeedError(f"{records_path or 'the document'} is not a list of flights")
    if len(records) > MAX_RECORDS:
        raise FeedError(f"{len(records)} records; at most {MAX_RECORDS}")
    mapping = {name: (fields or {}).get(name, name) for name in FIELDS}
    result = ParsedRecords()
    for index, item in enumerate(records):
        try:
            if not isinstance(item, dict):
                raise FeedError("not an object")
            record = {name: _at(item, source) for name, source in mapping.items()}
            result.legs.append(leg_from_record(record))
        except FeedError as exc:
            result.rejected.append(f"record {index}: {exc}")
    return result


def _at(data: object, path: str) -> object:
    """``data`` followed along a dotted path; None where the path leads nowhere."""
    for part in path.split(".") if path else []:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data
