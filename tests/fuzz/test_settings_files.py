"""Settings files and environment variables, as people write them: every program's settings are built
or refused with SettingsError (one line per problem, naming the key) and nothing else, from a damaged
TOML file or from variables of any name and value.

Seeds: the settings files shipped in deploy/ and the TOML examples in docs/."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from central.settings import CentralSettings
from config.loader import SettingsError, load_settings
from kiosk.settings import KioskSettings
from signage.settings import SignageSettings
from tests.fuzz.support import corpus, fuzz_settings, mutated
from tests.peers.programs import ROOT

pytestmark = pytest.mark.fuzz

PROGRAMS = {
    "kiosk": (KioskSettings, "KIOSK_"),
    "signage": (SignageSettings, "SIGNAGE_"),
    "central": (CentralSettings, "CENTRAL_"),
}


def shipped_toml() -> list[bytes]:
    files = [path.read_bytes() for path in sorted((ROOT / "deploy").rglob("*.toml"))]
    for doc in sorted((ROOT / "docs").glob("*.md")):
        files += [block.encode() for block in re.findall(r"^```toml\n(.*?)^```", doc.read_text(), re.DOTALL | re.M)]
    return files


SEEDS = shipped_toml()
TOML_BYTES = b"[]=\"'.,#\n 0123456789-:truefalse{}"


def built_or_refused(program: str, text: bytes, environ: dict[str, str] | None = None) -> None:
    model, prefix = PROGRAMS[program]
    with tempfile.TemporaryDirectory(prefix="fuzz-settings-") as folder:
        path = Path(folder) / f"{program}.toml"
        path.write_bytes(text)
        try:
            load_settings(model, prefix, path, environ or {})
        except SettingsError as refused:
            assert refused.problems and all(problem.strip() for problem in refused.problems)


def test_the_seeds_are_settings_files():
    assert len(SEEDS) >= 3


@fuzz_settings(120)
@given(st.sampled_from(sorted(PROGRAMS)), mutated(SEEDS, alphabet=TOML_BYTES))
def test_a_damaged_settings_file_is_read_or_refused(program, text):
    built_or_refused(program, text)


def key_paths(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every setting's path (section, key) in ``model``: the names people really set."""
    paths = []
    for name, field in model.model_fields.items():
        inner = field.annotation
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            paths += key_paths(inner, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


# what a variable may hold: text, numbers, and JSON (some settings take a JSON array) nested past the decoder
env_values = (
    st.text(max_size=20)
    | st.integers().map(str)
    | st.sampled_from(["true", "[]", '[{"urls": ["stun:x"]}]', "zh,en", "-1", "1e999"])
    | st.integers(1, 3000).map(lambda depth: "[" * depth)
)


def environments(program: str) -> st.SearchStrategy[dict[str, str]]:
    model, prefix = PROGRAMS[program]
    names = st.sampled_from(key_paths(model)).map(lambda path: prefix + "__".join(path).upper())
    return st.dictionaries(
        names | st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ_", max_size=12).map(prefix.__add__), env_values, max_size=4
    )


@fuzz_settings(120)
@given(st.sampled_from(sorted(PROGRAMS)), st.data())
def test_environment_variables_of_any_name_and_value_are_read_or_refused(program, data):
    environ = data.draw(environments(program))
    built_or_refused(program, b"", environ)


def test_inputs_that_once_failed_are_read_or_refused():
    for name, text in corpus("settings"):
        for program in PROGRAMS:
            try:
                built_or_refused(program, text)
            except Exception as error:
                raise AssertionError(f"corpus/settings/{name} for {program}: {error!r}") from error
