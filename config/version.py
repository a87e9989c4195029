"""The one version of every program: the installed package's, from its metadata."""

from __future__ import annotations

from importlib import metadata

PACKAGE = "airport-terminal"


def program_version() -> str:
    """The installed package's version, for birth messages, health and logs."""
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return "0+unknown"
