"""AIDX (IATA's Aviation Information Data Exchange): ``IATA_AIDX_FlightLegNotifRQ`` documents to legs,
and the ``IATA_AIDX_FlightLegNotifRS`` answer. Pure: bytes in, legs out; no I/O.

Versions 13.2 to 16.1, with the IATA namespace (``http://www.iata.org/IATA/2007/00``) or without any:
elements are matched by local name. The XML is parsed by defusedxml with DTDs, entities and external
references forbidden, after a size check, and the tree's depth is checked before it is read. Which
elements and codes are mapped, and how, is in ``docs/flights.md``.

A leg that cannot be read (a time without an offset, an unknown qualifier's value that is not a time, no
airline) is rejected on its own with a reason; the document's other legs still load. A document that is
not AIDX at all raises :class:`AidxError`.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET  # for the Element type and the answer; parsing is defusedxml's
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.sax.saxutils import escape

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bus.messages.flights import FlightEvent, FlightStatus
from central.feeds.legs import EventTime, FeedError, Leg, LegChange, LegKey, LegRemoval

log = logging.getLogger(__name__)

IATA_NAMESPACE = "http://www.iata.org/IATA/2007/00"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
REQUEST = "IATA_AIDX_FlightLegNotifRQ"
RESPONSE = "IATA_AIDX_FlightLegNotifRS"
MIN_VERSION = (13, 2)
MAX_VERSION = (16, 1)
MAX_DOCUMENT_BYTES = 1024 * 1024
MAX_DEPTH = 16
MAX_LEGS = 5000

DELETED = "DEL"
# OperationalStatus values as airports' operational databases send them. The schema names the element and
# leaves the code list to the exchange partners; [feeds] aidx_status_codes adds to or overrides this table.
STATUS_CODES: Mapping[str, FlightStatus | None] = {
    "SCH": FlightStatus.SCHEDULED,
    "RIN": FlightStatus.SCHEDULED,  # reinstated: a cancelled leg flies again
    "CKI": FlightStatus.CHECK_IN,
    "BRD": FlightStatus.BOARDING,
    "LBD": FlightStatus.FINAL_CALL,
    "GCL": FlightStatus.GATE_CLOSED,
    "DEP": FlightStatus.DEPARTED,
    "AIR": FlightStatus.DEPARTED,
    "DLY": FlightStatus.DELAYED,
    "CNL": FlightStatus.CANCELLED,
    "CXX": FlightStatus.CANCELLED,
    "DIV": FlightStatus.DIVERTED,
    "APP": FlightStatus.APPROACHING,
    "LND": FlightStatus.LANDED,
    "ARR": FlightStatus.ARRIVED,
    "ONB": FlightStatus.ARRIVED,
    "UNK": None,  # no status: derived from the times
}
QUALIFIERS = {
    "OFB": FlightEvent.OFF_BLOCK,
    "TKO": FlightEvent.TAKEOFF,
    "TDN": FlightEvent.TOUCHDOWN,
    "ONB": FlightEvent.ON_BLOCK,
}
TIME_TYPES = {"SCT": "scheduled", "EST": "estimated", "ACT": "actual"}
NOT_ON_BOARDS = frozenset({"F", "H", "M", "P", "T"})  # freight, mail, positioning, technical: no passengers
_VERSION = re.compile(r"^\s*([0-9]{1,2})\.([0-9]{1,2})\s*$")
_AIRLINE = re.compile(r"^[A-Z0-9]{2}[A-Z]?$")
_NUMBER = re.compile(r"^[0-9]{1,4}[A-Z]?$")
_AIRPORT = re.compile(r"^[A-Z]{3}$")


class AidxError(FeedError):
    """The whole document is refused; ``status`` is the HTTP status to answer with."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass
class AidxDocument:
    """What one document said: the changes read, the legs refused (with why), and its identifiers."""

    version: str
    transaction: str
    changes: list[LegChange] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


def parse(
    document: bytes,
    status_codes: Mapping[str, FlightStatus | None] = STATUS_CODES,
    max_bytes: int = MAX_DOCUMENT_BYTES,
) -> AidxDocument:
    """Read one ``IATA_AIDX_FlightLegNotifRQ``; raises :class:`AidxError` and nothing else."""
    if len(document) > max_bytes:
        raise AidxError(f"document of {len(document)} bytes exceeds {max_bytes}", 413)
    try:
        root = fromstring(document, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise AidxError(f"refused: {type(exc).__name__} (DTDs and entities are not accepted)") from None
    except (ET.ParseError, ValueError, LookupError) as exc:  # LookupError: encoding="…" that Python does not know
        raise AidxError(f"not well-formed XML: {exc}"[:300]) from None
    except RecursionError:
        raise AidxError(f"nested deeper than {MAX_DEPTH}") from None
    _check_depth(root)
    if _local(root.tag) != REQUEST:
        raise AidxError(f"root element is {_local(root.tag)[:60]!r}, not {REQUEST}")
    version = root.get("Version", "")
    _check_version(version)
    result = AidxDocument(version=version, transaction=root.get("TransactionIdentifier", "")[:64])
    legs = _children(root, "FlightLeg")
    if len(legs) > MAX_LEGS:
        raise AidxError(f"{len(legs)} flight legs in one document; at most {MAX_LEGS}")
    for number, element in enumerate(legs, start=1):
        try:
            change = _leg(element, status_codes)
        except FeedError as exc:
            result.rejected.append(f"FlightLeg {number}: {exc}")
            log.warning("AIDX %s: rejected FlightLeg %d: %s", result.transaction or "document", number, exc)
            continue
        if change is not None:
            result.changes.append(change)
    return result


def answer(transaction: str, version: str, error: str | None = None, warnings: list[str] | None = None) -> bytes:
    """The ``IATA_AIDX_FlightLegNotifRS``: ``<Success/>`` (with a warning per refused leg) or the error."""
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    head = (
        f'<{RESPONSE} xmlns="{IATA_NAMESPACE}" Version="{escape(_clean_version(version))}" '
        f'TimeStamp="{stamp}" TransactionIdentifier="{escape(transaction, {chr(34): "&quot;"})}">'
    )
    if error is not None:
        body = f'<Errors><Error Type="1">{escape(error[:500])}</Error></Errors>'
    else:
        body = "<Success/>"
        if warnings:
            body += (
                "<Warnings>"
                + "".join(f'<Warning Type="1">{escape(w[:500])}</Warning>' for w in warnings)
                + "</Warnings>"
            )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{head}{body}</{RESPONSE}>\n'.encode()


# --- the document ------------------------------------------------------------------------------------


def _local(tag: object) -> str:
    text = tag if isinstance(tag, str) else ""
    return text.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _text(element: ET.Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _check_depth(root: ET.Element) -> None:
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise AidxError(f"nested deeper than {MAX_DEPTH}")
        stack.extend((child, depth + 1) for child in element)


def _check_version(version: str) -> None:
    match = _VERSION.match(version)
    if match is None:
        raise AidxError(f"Version {version[:20]!r} is not a number like 16.1")
    found = (int(match.group(1)), int(match.group(2)))
    if not MIN_VERSION <= found <= MAX_VERSION:
        raise AidxError(f"Version {version.strip()} is not supported (13.2 to 16.1)")


def _clean_version(version: str) -> str:
    return version.strip() if _VERSION.match(version) else "16.1"


def _leg(element: ET.Element, status_codes: Mapping[str, FlightStatus | None]) -> LegChange | None:
    key = _key(_child(element, "LegIdentifier"))
    data = _child(element, "LegData")
    if data is None:
        raise FeedError("no LegData")
    status_text = _text(_child(data, "OperationalStatus")).upper()
    if status_text == DELETED:
        return LegRemoval(key)
    service = _text(_child(data, "ServiceType")).upper()
    if service in NOT_ON_BOARDS:
        return None
    if status_text and status_text not in status_codes:
        raise FeedError(f"unknown OperationalStatus {status_text[:10]!r}")
    status = status_codes.get(status_text) if status_text else None
    resources = _resources(data)
    times, cleared = _times(data)
    diverted_to = None
    if key.repeat_index > 1 or status is FlightStatus.DIVERTED:
        diverted_to = key.destination if key.repeat_index > 1 else _diversion_airport(data)
    return Leg(
        key=key,
        status=status,
        times=times,
        cleared=cleared,
        departure_gate=resources.get(("Departure", "PassengerGate"), ""),
        arrival_gate=resources.get(("Arrival", "PassengerGate"), ""),
        departure_stand=resources.get(("Departure", "AircraftParkingPosition"), ""),
        arrival_stand=resources.get(("Arrival", "AircraftParkingPosition"), ""),
        departure_terminal=resources.get(("Departure", "Terminal"), ""),
        arrival_terminal=resources.get(("Arrival", "Terminal"), ""),
        check_in=resources.get(("Departure", "CheckInCounter"), ""),
        belt=resources.get(("Arrival", "BaggageClaimUnit"), ""),
        codeshares=tuple(_codeshares(data)),
        remarks_en=_text(_child(data, "RemarkFreeText"))[:200],
        diverted_to=diverted_to,
    )


def _key(identifier: ET.Element | None) -> LegKey:
    if identifier is None:
        raise FeedError("no LegIdentifier")
    airline = _text(_child(identifier, "Airline")).upper()
    number = _text(_child(identifier, "FlightNumber")).upper().lstrip("0") or "0"
    origin = _text(_child(identifier, "DepartureAirport")).upper()
    destination = _text(_child(identifier, "ArrivalAirport")).upper()
    if not _AIRLINE.match(airline):
        raise FeedError(f"Airline {airline[:10]!r} is not an IATA designator")
    if not _NUMBER.match(number):
        raise FeedError(f"FlightNumber {number[:10]!r} is not 1-4 digits with an optional letter")
    for name, code in (("DepartureAirport", origin), ("ArrivalAirport", destination)):
        if not _AIRPORT.match(code):
            raise FeedError(f"{name} {code[:10]!r} is not an IATA airport code")
    try:
        origin_date = date.fromisoformat(_text(_child(identifier, "OriginDate")))
    except ValueError:
        raise FeedError("OriginDate is not a date like 2026-11-23") from None
    repeat_text = _text(_child(identifier, "RepeatIndex")) or "1"
    if not repeat_text.isdigit() or not 1 <= int(repeat_text) <= 99:
        raise FeedError(f"RepeatIndex {repeat_text[:10]!r} is not 1-99")
    return LegKey(airline, number, origin, destination, origin_date, int(repeat_text))


def _times(data: ET.Element) -> tuple[dict[FlightEvent, EventTime], frozenset[tuple[FlightEvent, str]]]:
    """The times given, and the (event, kind) pairs that ``xsi:nil`` clears."""
    found: dict[FlightEvent, dict[str, datetime]] = {}
    cleared: set[tuple[FlightEvent, str]] = set()
    for element in _children(data, "OperationTime"):
        event = QUALIFIERS.get(element.get("OperationQualifier", ""))
        kind = TIME_TYPES.get(element.get("TimeType", ""))
        if event is None or kind is None:
            continue  # boarding, taxi and target times: not shown on a board
        if _is_nil(element):
            cleared.add((event, kind))
        else:
            found.setdefault(event, {})[kind] = _time(element)
    return {event: EventTime(**times) for event, times in found.items()}, frozenset(cleared)


def _is_nil(element: ET.Element) -> bool:
    return element.get(XSI_NIL, "").strip() in {"true", "1"}


def _time(element: ET.Element) -> datetime:
    text = _text(element)
    what = f"{element.get('OperationQualifier')}/{element.get('TimeType')}"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise FeedError(f"OperationTime {what} {text[:40]!r} is not a time") from None
    if value.tzinfo is None:
        raise FeedError(f"OperationTime {what} {text[:40]!r} has no time zone (add Z or an offset)")
    return value


def _resources(data: ET.Element) -> dict[tuple[str, str], str]:
    """``(Departure|Arrival, element) -> value``; Usage="Actual" wins over Planned, and several counters
    or belts are joined with commas."""
    result: dict[tuple[str, str], str] = {}
    blocks = _children(data, "AirportResources")
    blocks.sort(key=lambda block: block.get("Usage", "") == "Actual")  # Actual last, so it wins
    for block in blocks:
        for resource in _children(block, "Resource"):
            side = resource.get("DepartureOrArrival", "")
            if side not in {"Departure", "Arrival"}:
                continue
            values: dict[str, list[str]] = {}
            for item in resource:
                name = _local(item.tag)
                if name in {"AircraftTerminal", "PassengerTerminal"}:
                    name = "Terminal"
                value = _text(item)
                if name == "BaggageClaimUnit" and side == "Departure":
                    continue
                if value:
                    values.setdefault(name, []).append(value[:40])
            for name, items in values.items():
                result[(side, name)] = ", ".join(dict.fromkeys(items))[:200]
    return result


def _codeshares(data: ET.Element) -> list[str]:
    found = []
    for share in _children(data, "CodeShareInfo"):
        airline = _text(_child(share, "Airline")).upper()
        number = _text(_child(share, "FlightNumber")).upper().lstrip("0")
        if _AIRLINE.match(airline) and _NUMBER.match(number):
            found.append(f"{airline}{number}")
    return found[:12]


def _diversion_airport(data: ET.Element) -> str | None:
    code = _text(_child(data, "DivertedAirport")).upper()
    return code if _AIRPORT.match(code) else None
