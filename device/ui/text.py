"""Looking up visible text in the language shown now."""

from __future__ import annotations

from typing import Protocol

from device.i18n import Catalogue


class LanguageSource(Protocol):
    @property
    def language(self) -> str: ...


class Texts:
    """``texts("home.greeting")`` gives the text in the language shown now (the passenger's choice on a
    kiosk, the rotating language on a signage display)."""

    def __init__(self, catalogue: Catalogue, source: LanguageSource) -> None:
        self._catalogue = catalogue
        self._source = source

    def __call__(self, key: str, **params: object) -> str:
        return self._catalogue.text(self._source.language, key, **params)

    @property
    def language(self) -> str:
        return self._source.language
