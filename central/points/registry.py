"""The info point registry: a TOML file of ``[[point]]`` tables, checked as a whole when it is read.

Every mistake is reported with the point's number, its line in the file and its id, so that whoever keeps
the file finds it at once; a file with any mistake is refused whole (a half-read registry would print
posters for some points and lose others without a word).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

POINT_ID_PATTERN = r"^[A-Za-z0-9_-]{1,40}$"
POINT_ID = re.compile(POINT_ID_PATTERN)
SAMPLE_REGISTRY = Path(__file__).with_name("hak.toml")
MAP_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")  # raster only: an SVG map could carry script
MAX_MAP_BYTES = 2 * 1024 * 1024
MAX_POINTS = 10_000
RESERVED_IDS = frozenset({"stats"})  # /api/points/stats
_TEXT = Annotated[str, Field(min_length=1, max_length=120)]
_HEADER = re.compile(r"^\s*\[\[\s*point\s*\]\]")


class RegistryError(ValueError):
    """The registry file cannot be used; the message names the file, and the point and line at fault."""


class Bilingual(BaseModel):
    """A text in Chinese and English."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    zh: _TEXT
    en: _TEXT

    @field_validator("zh", "en")
    @classmethod
    def _printable(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
        if any(ord(char) < 32 or 0x7F <= ord(char) < 0xA0 for char in value):
            raise ValueError("must not contain control characters")
        return value


class _PointEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=POINT_ID_PATTERN)]
    name: Bilingual
    terminal: Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[^\x00-\x1f\x7f]+$")]
    area: _TEXT
    floor: Annotated[str, Field(min_length=1, max_length=10, pattern=r"^[^\x00-\x1f\x7f]+$")]
    services: Annotated[list[Bilingual], Field(max_length=20)] = Field(default_factory=list)
    map: str | None = None


@dataclass(frozen=True)
class InfoPoint:
    """One posted QR point: where it is and what is near it; ``map`` is an image file, if there is one."""

    id: str
    name: Bilingual
    terminal: str
    area: str
    floor: str
    services: tuple[Bilingual, ...]
    map: Path | None


class PointRegistry:
    """The points in file order, looked up by id."""

    def __init__(self, points: list[InfoPoint], source: Path | None = None) -> None:
        self.source = source
        self._points = {point.id: point for point in points}

    def __len__(self) -> int:
        return len(self._points)

    def __iter__(self) -> Iterator[InfoPoint]:
        return iter(self._points.values())

    def list(self) -> list[InfoPoint]:
        return list(self._points.values())

    def get(self, point_id: str) -> InfoPoint | None:
        """The point, or None; ids that could never be valid are not even looked up."""
        if not POINT_ID.match(point_id):
            return None
        return self._points.get(point_id)


def load_registry(path: Path | None = None) -> PointRegistry:
    """The registry at ``path`` (the sample for HAK when None); raises :class:`RegistryError`."""
    path = path or SAMPLE_REGISTRY
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: cannot read the points file: {exc}") from None
    return parse_registry(text, path)


def parse_registry(text: str, path: Path) -> PointRegistry:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: not valid TOML: {exc}") from None
    lines = [number for number, line in enumerate(text.splitlines(), start=1) if _HEADER.match(line)]
    return registry_from_document(document, path, lines)


def registry_from_document(document: dict[str, Any], path: Path, lines: list[int] | None = None) -> PointRegistry:
    """The registry from a parsed file; ``lines`` are the line numbers of its ``[[point]]`` headers."""
    lines = lines or []
    unknown = sorted(set(document) - {"point"})
    if unknown:
        raise RegistryError(f"{path}: unknown top-level entries {', '.join(unknown)}; points are [[point]] tables")
    entries = document.get("point", [])
    if not isinstance(entries, list) or not entries:
        raise RegistryError(f"{path}: no points; add [[point]] tables (see docs/points.md)")
    if len(entries) > MAX_POINTS:
        raise RegistryError(f"{path}: {len(entries)} points; at most {MAX_POINTS}")
    points: list[InfoPoint] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        line = lines[index] if index < len(lines) else None
        where = f"{path}: point {index + 1}" + (f" (line {line})" if line else "")
        raw_id = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(raw_id, str):
            where += f", id {raw_id[:40]!r}"
        try:
            parsed = _PointEntry.model_validate(entry)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in error['loc']) or 'point'}: {error['msg']}" for error in exc.errors()
            )
            raise RegistryError(f"{where}: {problems}") from None
        if parsed.id in RESERVED_IDS:
            raise RegistryError(f"{where}: the id {parsed.id!r} is reserved (it names a page of central)")
        if parsed.id in seen:
            raise RegistryError(f"{where}: the id is used by point {seen[parsed.id]} already")
        seen[parsed.id] = index + 1
        points.append(
            InfoPoint(
                id=parsed.id,
                name=parsed.name,
                terminal=parsed.terminal.strip(),
                area=parsed.area.strip(),
                floor=parsed.floor.strip(),
                services=tuple(parsed.services),
                map=_map_file(parsed.map, path, where),
            )
        )
    return PointRegistry(points, path)


def _map_file(value: str | None, registry: Path, where: str) -> Path | None:
    """The map image, relative to the registry file; it must be a raster image of sensible size."""
    if value is None or not value.strip():
        return None
    file = (registry.parent / value.strip()).resolve()
    if file.suffix.lower() not in MAP_SUFFIXES:
        raise RegistryError(f"{where}: map {value!r} must be a {', '.join(MAP_SUFFIXES)} image")
    try:
        size = file.stat().st_size
    except OSError:
        raise RegistryError(f"{where}: map {value!r} not found (looked for {file})") from None
    if not file.is_file() or size > MAX_MAP_BYTES:
        raise RegistryError(f"{where}: map {value!r} must be a file of at most {MAX_MAP_BYTES // 1024} kB")
    return file
