"""What an article can be found by: its words (lower case), and for Chinese text the characters and their
pinyin, in full (``beijing``) and by initials (``bj``), from every syllable on, so that typing the start of
any word or the pinyin of any part of a phrase finds it.

pypinyin turns arbitrary Chinese into pinyin with its phrase dictionary (so 重庆 is ``chongqing``, not
``zhongqing``); it is called once per article change (see :mod:`central.kb.store`), never per query.
"""

from __future__ import annotations

import re
import unicodedata
from enum import IntEnum

# how far a Chinese phrase reaches from any character on: long enough for a place or a service name
RUN_CHARS = 8
# the Unified Ideographs, their extension A and the compatibility block: what pypinyin reads
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PIECES = re.compile(rf"[{_HAN}]+|[^\W_{_HAN}]+")
_IS_HAN = re.compile(rf"[{_HAN}]")
MAX_QUERY_TERMS = 8
MAX_TERM_CHARS = 40


class Field(IntEnum):
    """Where a term was found, by how much a match there counts."""

    BODY = 1
    TAGS = 2
    TITLE = 4


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits become plain ones) and case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def terms(text: str) -> set[str]:
    """Every term ``text`` may be found by."""
    found: set[str] = set()
    for piece in _PIECES.findall(normalise(text)):
        if _IS_HAN.match(piece):
            found |= _han_terms(piece)
        else:
            found.add(piece[:MAX_TERM_CHARS])
    return found


def _han_terms(run: str) -> set[str]:
    # imported on first use: loading its phrase dictionary takes ~0.2 s, and central's start needs none of
    # it (the terms of kept articles are read from the store)
    from pypinyin import lazy_pinyin

    syllables = lazy_pinyin(run, errors="ignore")
    if len(syllables) != len(run):  # a character without a reading: characters only
        syllables = []
    found: set[str] = set()
    for start in range(len(run)):
        end = start + RUN_CHARS
        found.add(run[start:end])
        if syllables:
            found.add("".join(syllables[start:end]))
            found.add("".join(syllable[0] for syllable in syllables[start:end]))
    return found


def query_terms(query: str) -> list[str]:
    """The terms of what the agent typed: words and Chinese runs, each matched as the start of a term."""
    found: list[str] = []
    for piece in _PIECES.findall(normalise(query)):
        if _IS_HAN.match(piece):  # a long phrase as pieces the length the index keeps
            found += [piece[start : start + RUN_CHARS] for start in range(0, len(piece), RUN_CHARS)]
        else:
            found.append(piece[:MAX_TERM_CHARS])
    return found[:MAX_QUERY_TERMS]


def weighed_terms(titles: list[str], tags: list[str], bodies: list[str]) -> dict[str, int]:
    """Every term of an article, each with the weight of the best field it is in."""
    weights: dict[str, int] = {}
    for field, texts in ((Field.BODY, bodies), (Field.TAGS, tags), (Field.TITLE, titles)):
        for text in texts:
            for term in terms(text):
                weights[term] = max(weights.get(term, 0), int(field))
    return weights
