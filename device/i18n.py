"""Text shown to people, looked up by key in per-language catalogues (``locales/<lang>.toml``).

Qt-free, so every program and the tests share it. A key missing in one language falls back to English and is
logged once; every catalogue must have the same keys (a test checks it).
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from importlib import resources
from typing import Any

log = logging.getLogger(__name__)

FALLBACK_LANGUAGE = "en"


class Catalogue:
    """All visible strings of one program in every language it speaks."""

    def __init__(self, texts: Mapping[str, Mapping[str, str]]) -> None:
        if FALLBACK_LANGUAGE not in texts:
            raise ValueError(f"a catalogue needs the fallback language {FALLBACK_LANGUAGE!r}")
        self._texts = {lang: dict(entries) for lang, entries in texts.items()}
        self._missing_logged: set[tuple[str, str]] = set()

    @classmethod
    def from_package(cls, *packages: str) -> Catalogue:
        """The device core's own texts plus every ``locales/<lang>.toml`` shipped inside ``packages``;
        later packages add to earlier."""
        texts: dict[str, dict[str, str]] = {}
        for package in ("device", *packages):
            for entry in resources.files(package).joinpath("locales").iterdir():
                if entry.name.endswith(".toml"):
                    language = entry.name.removesuffix(".toml")
                    texts.setdefault(language, {}).update(_flatten(tomllib.loads(entry.read_text("utf-8"))))
        return cls(texts)

    @property
    def languages(self) -> list[str]:
        return sorted(self._texts)

    def keys(self, language: str) -> set[str]:
        return set(self._texts.get(language, {}))

    def text(self, language: str, key: str, **params: object) -> str:
        """The text for ``key`` in ``language``, with ``{name}`` placeholders filled from ``params``."""
        template = self._texts.get(language, {}).get(key)
        if template is None:
            if (language, key) not in self._missing_logged:
                self._missing_logged.add((language, key))
                log.warning("no %s text for %r; showing English", language, key)
            template = self._texts[FALLBACK_LANGUAGE].get(key, key)
        try:
            return template.format(**params) if params else template
        except (KeyError, IndexError, ValueError):
            log.warning("text %r in %s does not fit its parameters %s", key, language, sorted(params))
            return template


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{dotted}."))
        else:
            flat[dotted] = str(value)
    return flat
