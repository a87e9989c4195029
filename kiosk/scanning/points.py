"""A posted info point's details from central: ``GET {central_url}/api/points/{id}``, blocking (run it in a
thread), small and validated, or :class:`PointUnavailable`."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

FETCH_TIMEOUT_S = 3.0
MAX_RESPONSE_BYTES = 64 * 1024  # a point's details are a few hundred bytes


class PointUnavailable(Exception):
    """Central could not be asked, or answered with something that is not a point's details."""


class Bilingual(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    zh: Annotated[str, Field(max_length=200)] = ""
    en: Annotated[str, Field(max_length=200)] = ""

    def text(self, language: str) -> str:
        return (self.zh or self.en) if language.startswith("zh") else (self.en or self.zh)


class PointInfo(BaseModel):
    """An info point as central describes it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
    name: Bilingual
    terminal: Annotated[str, Field(max_length=40)] = ""
    area: Annotated[str, Field(max_length=80)] = ""
    floor: Annotated[str, Field(max_length=40)] = ""
    services: Annotated[list[Bilingual], Field(max_length=40)] = Field(default_factory=list)
    map: Annotated[str, Field(max_length=2000)] | None = None


def point_url(central_url: str, point_id: str) -> str:
    return f"{central_url.rstrip('/')}/api/points/{point_id}"


def fetch_point(central_url: str, point_id: str, timeout_s: float = FETCH_TIMEOUT_S) -> PointInfo:
    """The point's details; raises :class:`PointUnavailable` with the reason. Blocks up to ``timeout_s``."""
    url = point_url(central_url, point_id)
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 (http(s) only: settings)
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise PointUnavailable(f"central answered {exc.code} for point {point_id}") from exc
    except (OSError, ValueError) as exc:
        raise PointUnavailable(f"central could not be reached: {exc}") from exc
    if len(body) > MAX_RESPONSE_BYTES:
        raise PointUnavailable(f"point {point_id}: answer larger than {MAX_RESPONSE_BYTES} bytes")
    try:
        point = PointInfo.model_validate(json.loads(body))
    except (ValueError, RecursionError, ValidationError) as exc:  # JSON nested too deep: RecursionError
        raise PointUnavailable(f"point {point_id}: not a point's details ({exc.__class__.__name__})") from exc
    if point.id != point_id:
        raise PointUnavailable(f"asked for point {point_id}, central described {point.id}")
    return point
