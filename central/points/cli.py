"""``central posters --out DIR [--url URL]``: the info points' posters, from ``[points] file``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from central.points.fonts import FontError
from central.points.posters import PosterFont, point_url, write_posters
from central.points.registry import RegistryError, load_registry
from central.settings import CentralSettings

POSTER_ERROR_EXIT_STATUS = 1


def add_posters_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    config_option: Callable[[argparse.ArgumentParser], None],
) -> None:
    posters = commands.add_parser(
        "posters", help="write every info point's posters (A4 and A5 PDF, PNG, SVG) and a sheet of all points"
    )
    posters.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the posters")
    posters.add_argument(
        "--url",
        default=None,
        metavar="URL",
        help="the address phones reach central at (default: [http] public_url); the QR codes point there",
    )
    config_option(posters)


def base_url(settings: CentralSettings, given: str | None) -> tuple[str, str | None]:
    """The URL the codes carry, and a warning when it is one phones probably cannot reach."""
    if given:
        return given.rstrip("/"), None
    if settings.http.public_url:
        return settings.http.public_url.rstrip("/"), None
    http = settings.http
    host = f"[{http.host}]" if ":" in http.host else http.host
    url = f"http://{host}:{http.port}"
    return url, f"no [http] public_url (or --url) set: the codes point at {url}, which phones may not reach"


def posters_command(args: argparse.Namespace, settings: CentralSettings) -> int:
    url, warning = base_url(settings, args.url)
    if warning:
        print(f"central: warning: {warning}", file=sys.stderr)
    try:
        registry = load_registry(settings.points.file)
        font = PosterFont()
        written, sheet = write_posters(registry.list(), url, args.out, font)
    except (RegistryError, FontError, OSError) as exc:
        print(f"central: cannot write the posters: {exc}", file=sys.stderr)
        return POSTER_ERROR_EXIT_STATUS
    print(f"central: {len(written)} info points' posters written to {args.out} (font {font.font.path})")
    print(f"central: all points on one sheet: {sheet}")
    if written:
        print(f"central: e.g. {written[0].a4_pdf.name} carries {point_url(url, written[0].point_id)}")
    return 0
