"""IATA bar-coded boarding passes (BCBP, Resolution 792, format ``M``): parse the text a code carries.

Pure and Qt-free. The layout is described in ``docs/scanning.md``; in short: a 23-character head (format,
number of legs, name, e-ticket flag), then per leg 35 characters of mandatory items and a two-digit hex
size of the leg's variable part (conditional items, then the airline's own data), then optionally the
security section (``^``, type, two hex digits of length, data).

Conditional items are read by the sizes the pass declares, not by its version: an issuer may stop early
(older versions, or airlines that leave the later items out), and whatever is missing is absent (None), not
an error. Real passes bend the rules; the deviations accepted on purpose are named where they are handled.
Anything else that does not fit raises :class:`BoardingPassError` with a reason a member of staff can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FORMAT_CODE = "M"
MAX_LEGS = 4
HEAD_CHARS = 23  # format 1, legs 1, name 20, e-ticket 1
LEG_CHARS = 35  # PNR 7, from 3, to 3, carrier 3, flight 5, date 3, compartment 1, seat 4, sequence 5, status 1
MAX_TEXT_CHARS = 2000  # a 4-leg pass with every item and 255 bytes of security data stays well under this
VERSION_MARK = ">"
SECURITY_MARK = "^"
_CLAIM = re.compile(r"^M[0-9]")


class BoardingPassError(ValueError):
    """The text claims to be a boarding pass (it starts ``M`` and a digit) but does not follow the layout."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Leg:
    """One flight of the pass: the mandatory items (trimmed of padding) and the conditional ones present."""

    pnr: str
    from_airport: str
    to_airport: str
    carrier: str
    flight: str
    date_of_flight: int | None  # day of the year, 1-366; None when blank
    compartment: str
    seat: str
    sequence: str
    status: str
    # conditional, repeated for each leg: None when the pass leaves them out
    airline_numeric_code: str | None = None
    document_number: str | None = None
    selectee: str | None = None
    document_verification: str | None = None
    marketing_carrier: str | None = None
    frequent_flyer_airline: str | None = None
    frequent_flyer_number: str | None = None
    id_ad: str | None = None
    free_baggage: str | None = None
    fast_track: str | None = None
    airline_data: str = ""  # the airline's own use: opaque

    @property
    def flight_number(self) -> str:
        """Carrier and number as boards show them: ``AC 0834`` becomes ``AC834`` (a letter suffix kept)."""
        match = re.fullmatch(r"0*([0-9]+)([A-Z]?)", self.flight)
        number = f"{int(match.group(1))}{match.group(2)}" if match else self.flight
        return f"{self.carrier}{number}"


@dataclass(frozen=True)
class Security:
    type: str
    data: str


@dataclass(frozen=True)
class BoardingPass:
    name: str
    electronic_ticket: str
    legs: tuple[Leg, ...]
    version: int | None = None  # None when the pass has no conditional section
    # conditional items that appear once, in the first leg's variable part
    passenger_description: str | None = None
    checkin_source: str | None = None
    issuance_source: str | None = None
    issue_date: str | None = None  # the last digit of the year and the day of the year: "6326"
    document_type: str | None = None
    issuer: str | None = None
    baggage_tags: tuple[str, ...] = ()
    security: Security | None = None
    deviations: tuple[str, ...] = field(default=())

    @property
    def initials(self) -> str:
        """The name as initials only (``ZHANG/SAN MR`` → ``Z. S.``): all a screen in a hall should show."""
        return name_initials(self.name)


# (name, width) of the conditional items, in the order they come; a section ends where its size ends
_UNIQUE_ITEMS = (
    ("passenger_description", 1),
    ("checkin_source", 1),
    ("issuance_source", 1),
    ("issue_date", 4),
    ("document_type", 1),
    ("issuer", 3),
    ("baggage_tag", 13),
    ("baggage_tag_2", 13),
    ("baggage_tag_3", 13),
)
_REPEATED_ITEMS = (
    ("airline_numeric_code", 3),
    ("document_number", 10),
    ("selectee", 1),
    ("document_verification", 1),
    ("marketing_carrier", 3),
    ("frequent_flyer_airline", 3),
    ("frequent_flyer_number", 16),
    ("id_ad", 1),
    ("free_baggage", 3),
    ("fast_track", 1),
)
_TITLES = frozenset({"MR", "MRS", "MS", "MISS", "MSTR", "DR", "PROF", "CHD", "INF"})


def claims_to_be_boarding_pass(text: str) -> bool:
    """Whether ``text`` starts like a BCBP (``M`` and a digit): only such texts get a "can't be read"."""
    return bool(_CLAIM.match(text))


def parse(text: str) -> BoardingPass:
    """The boarding pass in ``text``; raises :class:`BoardingPassError` (and nothing else) when it is not one."""
    if len(text) > MAX_TEXT_CHARS:
        raise BoardingPassError(f"{len(text)} characters is longer than any boarding pass")
    if not text.isprintable():
        raise BoardingPassError("control characters in the text")
    text = text.rstrip()  # a scanner or a phone may add trailing blanks or a newline
    reader = _Reader(text)
    if reader.take(1, "format code") != FORMAT_CODE:
        raise BoardingPassError(f"format code {text[:1]!r} is not {FORMAT_CODE!r}")
    legs_field = reader.take(1, "number of legs")
    if legs_field not in {str(n) for n in range(1, MAX_LEGS + 1)}:
        raise BoardingPassError(f"number of legs {legs_field!r} is not 1 to {MAX_LEGS}")
    name = reader.take(20, "passenger name").strip()
    electronic_ticket = reader.take(1, "electronic ticket indicator").strip()
    unique: dict[str, str] = {}
    version: int | None = None
    deviations: list[str] = []
    legs: list[Leg] = []
    for number in range(1, int(legs_field) + 1):
        mandatory = reader.take(LEG_CHARS, f"leg {number}")
        size = reader.hex_size(f"leg {number}'s variable size")
        last = number == int(legs_field)
        if size == 0 and number == 1 and reader.peek(1) == VERSION_MARK:
            # Deviation: a size of zero with the conditional section after it anyway. Its own sizes say
            # where it ends; on a one-leg pass the airline's data runs on to the security section.
            size = _conditional_extent(reader.rest, last)
            deviations.append("leg 1's variable size is 0 but conditional data follows")
        variable = _Reader(reader.take(size, f"leg {number}'s variable part"))
        if number == 1 and variable.peek(1) == VERSION_MARK:
            variable.take(1, "version mark")
            version_field = variable.take(1, "version number")
            version = int(version_field) if version_field.isdigit() else None
            unique = _items(variable.take(variable.hex_size("unique section size"), "unique section"), _UNIQUE_ITEMS)
        repeated: dict[str, str] = {}
        if variable.rest:
            repeated_size = variable.hex_size(f"leg {number}'s repeated section size")
            repeated = _items(variable.take(repeated_size, f"leg {number}'s repeated section"), _REPEATED_ITEMS)
        legs.append(_leg(mandatory, number, repeated, variable.rest))
        if not last and reader.peek(1) == SECURITY_MARK:
            raise BoardingPassError(f"the pass says {legs_field} legs but has {number}")
    security = _security(reader)
    if reader.rest:
        raise BoardingPassError(f"{len(reader.rest)} characters after the last leg that are no security section")
    tags = tuple(unique[key].strip() for key in ("baggage_tag", "baggage_tag_2", "baggage_tag_3") if unique.get(key))
    return BoardingPass(
        name=name,
        electronic_ticket=electronic_ticket,
        legs=tuple(legs),
        version=version,
        passenger_description=_present(unique, "passenger_description"),
        checkin_source=_present(unique, "checkin_source"),
        issuance_source=_present(unique, "issuance_source"),
        issue_date=_present(unique, "issue_date"),
        document_type=_present(unique, "document_type"),
        issuer=_present(unique, "issuer"),
        baggage_tags=tuple(tag for tag in tags if tag),
        security=security,
        deviations=tuple(deviations),
    )


def name_initials(name: str) -> str:
    """``SURNAME/GIVEN NAMES`` as initials in the pass's order, titles (MR, MS…) left out."""
    words = [word for word in re.split(r"[/\s]+", name.upper()) if word and word not in _TITLES]
    return " ".join(f"{word[0]}." for word in words if word[0].isalnum())


class _Reader:
    def __init__(self, text: str) -> None:
        self._text = text
        self._at = 0

    @property
    def rest(self) -> str:
        return self._text[self._at :]

    def peek(self, count: int) -> str:
        return self._text[self._at : self._at + count]

    def take(self, count: int, what: str) -> str:
        if self._at + count > len(self._text):
            raise BoardingPassError(f"the text ends inside the {what} (at character {len(self._text)})")
        piece = self._text[self._at : self._at + count]
        self._at += count
        return piece

    def hex_size(self, what: str) -> int:
        digits = self.take(2, what)
        if not re.fullmatch(r"[0-9A-Fa-f]{2}", digits):
            raise BoardingPassError(f"the {what} {digits!r} is not two hex digits")
        return int(digits, 16)


def _leg(raw: str, number: int, repeated: dict[str, str], airline_data: str) -> Leg:
    what = f"leg {number}"
    pick = _Reader(raw)
    pnr, from_airport, to_airport, carrier, flight = (pick.take(width, what).strip() for width in (7, 3, 3, 3, 5))
    date = pick.take(3, what)
    date_of_flight: int | None = None  # a blank date: seen on passes issued before the day was fixed
    if date.strip():
        if not (date.isdigit() and 1 <= int(date) <= 366):
            raise BoardingPassError(f"{what}'s date of flight {date!r} is not a day of the year")
        date_of_flight = int(date)
    compartment, seat, sequence, status = (pick.take(width, what).strip() for width in (1, 4, 5, 1))
    for airport in (from_airport, to_airport):
        if airport and not re.fullmatch(r"[A-Z]{3}", airport):
            raise BoardingPassError(f"{what}'s airport {airport!r} is not a three-letter code")

    def item(name: str) -> str | None:
        return _present(repeated, name)

    return Leg(
        pnr=pnr,
        from_airport=from_airport,
        to_airport=to_airport,
        carrier=carrier,
        flight=flight,
        date_of_flight=date_of_flight,
        compartment=compartment,
        seat=seat,
        sequence=sequence,
        status=status,
        airline_numeric_code=item("airline_numeric_code"),
        document_number=item("document_number"),
        selectee=item("selectee"),
        document_verification=item("document_verification"),
        marketing_carrier=item("marketing_carrier"),
        frequent_flyer_airline=item("frequent_flyer_airline"),
        frequent_flyer_number=item("frequent_flyer_number"),
        id_ad=item("id_ad"),
        free_baggage=item("free_baggage"),
        fast_track=item("fast_track"),
        airline_data=airline_data,
    )


def _conditional_extent(rest: str, last_leg: bool) -> int:
    """How long the conditional section at the start of ``rest`` is, by its own inner sizes."""
    probe = _Reader(rest)
    probe.take(2, "version mark and number")
    probe.take(probe.hex_size("unique section size"), "unique section")
    if probe.rest and probe.peek(1) != SECURITY_MARK:
        probe.take(probe.hex_size("repeated section size"), "repeated section")
    end = len(rest) - len(probe.rest)
    if last_leg:
        security = probe.rest.find(SECURITY_MARK)
        end += len(probe.rest) if security < 0 else security
    return end


def _items(section: str, layout: tuple[tuple[str, int], ...]) -> dict[str, str]:
    items: dict[str, str] = {}
    reader = _Reader(section)
    for name, width in layout:
        if not reader.rest:
            break
        # a section that ends inside an item gives the part it has (seen with short frequent-flyer numbers)
        items[name] = reader.take(min(width, len(reader.rest)), name)
    # items the layout does not know (a newer version): kept by nobody, and no reason to refuse the pass
    return items


def _present(items: dict[str, str], key: str) -> str | None:
    return items[key].strip() if key in items else None


def _security(reader: _Reader) -> Security | None:
    if reader.peek(1) != SECURITY_MARK:
        return None
    reader.take(1, "security mark")
    kind = reader.take(1, "security type")
    length = reader.hex_size("security data length")
    data = reader.take(length, "security data")
    return Security(type=kind.strip(), data=data)


JsonValue = str | int | None | list["JsonValue"] | dict[str, "JsonValue"]


def as_json(boarding_pass: BoardingPass) -> dict[str, JsonValue]:
    """The pass in the shape ``kiosk scan`` prints (issue 10): mandatory items, the version and security."""
    security = boarding_pass.security
    legs: list[JsonValue] = [
        {
            "pnr": leg.pnr,
            "from": leg.from_airport,
            "to": leg.to_airport,
            "carrier": leg.carrier,
            "flight": leg.flight,
            "date_of_flight": leg.date_of_flight,
            "compartment": leg.compartment,
            "seat": leg.seat,
            "sequence": leg.sequence,
            "status": leg.status,
        }
        for leg in boarding_pass.legs
    ]
    return {
        "name": boarding_pass.name,
        "electronic_ticket": boarding_pass.electronic_ticket,
        "version": boarding_pass.version,
        "legs": legs,
        "security": None if security is None else {"type": security.type, "data": security.data},
    }


def encode(boarding_pass: BoardingPass) -> str:
    """The text of ``boarding_pass`` as an issuer writes it (the inverse of :func:`parse` for passes that
    follow the layout): the conditional items up to the last one present, sizes in upper-case hex."""
    text = f"{FORMAT_CODE}{len(boarding_pass.legs)}{boarding_pass.name:<20.20}{boarding_pass.electronic_ticket:1.1}"
    for number, leg in enumerate(boarding_pass.legs, start=1):
        date = "   " if leg.date_of_flight is None else f"{leg.date_of_flight:03d}"
        text += (
            f"{leg.pnr:<7.7}{leg.from_airport:<3.3}{leg.to_airport:<3.3}{leg.carrier:<3.3}{leg.flight:<5.5}{date}"
            f"{leg.compartment:1.1}{leg.seat:>4.4}{leg.sequence:<5.5}{leg.status:1.1}"
        )
        variable = ""
        if number == 1 and boarding_pass.version is not None:
            tags = dict(
                zip(("baggage_tag", "baggage_tag_2", "baggage_tag_3"), boarding_pass.baggage_tags, strict=False)
            )
            unique = _section(_UNIQUE_ITEMS, {**{k: getattr(boarding_pass, k) for k, _ in _UNIQUE_ITEMS[:6]}, **tags})
            variable = f"{VERSION_MARK}{boarding_pass.version}{len(unique):02X}{unique}"
        repeated = _section(_REPEATED_ITEMS, {name: getattr(leg, name) for name, _width in _REPEATED_ITEMS})
        if repeated or leg.airline_data or variable:
            variable += f"{len(repeated):02X}{repeated}{leg.airline_data}"
        text += f"{len(variable):02X}{variable}"
    if boarding_pass.security is not None:
        security = boarding_pass.security
        text += f"{SECURITY_MARK}{security.type:1.1}{len(security.data):02X}{security.data}"
    return text


def _section(layout: tuple[tuple[str, int], ...], values: dict[str, str | None]) -> str:
    present = [index for index, (name, _width) in enumerate(layout) if values.get(name) is not None]
    if not present:
        return ""
    return "".join(f"{values.get(name) or '':<{width}.{width}}" for name, width in layout[: present[-1] + 1])
