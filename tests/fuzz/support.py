"""What every fuzz test shares: how many examples, the corpus of inputs that once failed, and mutation.

A parser of outside input may refuse anything, but only with its documented error; an input that once
made one raise anything else is kept in ``corpus/<parser>/`` and replayed on every run, beside the fix.
``FUZZ_EXAMPLES=20000 pytest -m fuzz tests/fuzz`` is the long run; the normal run tries a few hundred.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

CORPUS = Path(__file__).parent / "corpus"


def fuzz_settings(default: int = 200) -> settings:
    """``default`` examples, or ``FUZZ_EXAMPLES`` of them; no deadline (a busy machine is no bug)."""
    examples = int(os.environ.get("FUZZ_EXAMPLES", default))
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,  # the corpus is the memory of failures, reviewed and committed
    )


def corpus(parser: str) -> list[tuple[str, bytes]]:
    """Every input kept for ``parser`` with its file name, in name order (a failure names its file)."""
    folder = CORPUS / parser
    if not folder.is_dir():
        return []
    return [(path.name, path.read_bytes()) for path in sorted(folder.iterdir()) if path.is_file()]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes], alphabet: bytes = b"") -> bytes:
    """A seed with a few bytes cut, repeated, replaced or inserted: near-valid input reaches deep code.

    ``alphabet`` adds bytes worth inserting (delimiters and digits of the format) beside arbitrary ones.
    """
    data = bytearray(draw(st.sampled_from(seeds)))
    insert = st.binary(min_size=1, max_size=8)
    if alphabet:
        insert = st.one_of(insert, st.sampled_from([bytes([b]) for b in alphabet]))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["cut", "repeat", "replace", "insert", "truncate"]))
        if kind == "cut":
            del data[at : at + draw(st.integers(1, 16))]
        elif kind == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 64))]
        elif kind == "replace" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(insert)
        elif kind == "truncate":
            del data[at:]
    return bytes(data)


# JSON values of any shape, for the fields of a message or a form
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def nested(depth: int, opener: str = "[", closer: str = "]", core: str = "") -> str:
    """JSON nested ``depth`` deep: Python's json gives up with RecursionError, which is no ValueError."""
    return opener * depth + core + closer * depth
