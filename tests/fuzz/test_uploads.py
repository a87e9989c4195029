"""A device's screenshot or log lines, posted to ``/api/fleet/uploads`` with a one-time token: a wrong
token or a body that is not what was asked for is refused with UploadRefused and nothing else, and a
refused upload uses up no other token and changes none of the files kept."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from central.fleet_uploads import PNG_SIGNATURE, UploadKind, UploadRefused, UploadStore, UploadTokens, check_content
from tests.fuzz.support import corpus, fuzz_settings, mutated

pytestmark = pytest.mark.fuzz

PNG = PNG_SIGNATURE + bytes.fromhex("0000000d49484452000000010000000108060000001f15c489")  # a 1x1 header
LOG = "2026-11-23 14:50:51 INFO kiosk: home screen painted\n仍在工作\n".encode()


def taken_or_refused(kind: UploadKind, body: bytes) -> bool:
    try:
        check_content(kind, body)
    except UploadRefused as refused:
        assert str(refused)
        return False
    return True


@fuzz_settings(200)
@given(st.sampled_from(list(UploadKind)), mutated([PNG, LOG]) | st.binary(max_size=64))
def test_any_body_is_taken_or_refused_as_what_was_asked_for(kind, body):
    if taken_or_refused(kind, body):
        if kind is UploadKind.SCREENSHOT:
            assert body.startswith(PNG_SIGNATURE)
        else:
            body.decode("utf-8")


@fuzz_settings(100)
@given(st.text(max_size=60) | st.text("ABCDEFabcdef0123456789_-", min_size=40, max_size=48))
def test_a_wrong_token_is_refused_and_uses_up_no_other_token(guess):
    tokens = UploadTokens(clock=lambda: 1000.0)
    mine = tokens.issue("kiosk-t1-01", "cmd-1", UploadKind.SCREENSHOT, 60)
    other = tokens.issue("kiosk-t1-02", "cmd-2", UploadKind.LOGS, 60)
    if guess in (mine, other):
        return
    with pytest.raises(UploadRefused):
        tokens.take(guess)
    assert tokens.take(mine).device == "kiosk-t1-01" and tokens.take(other).kind is UploadKind.LOGS


@fuzz_settings(40)
@given(
    st.lists(
        st.sampled_from(list(UploadKind)).flatmap(lambda k: st.tuples(st.just(k), mutated([PNG, LOG]))), max_size=6
    )
)
def test_only_taken_uploads_change_the_files_kept(uploads):
    tokens = UploadTokens(clock=lambda: 1000.0)
    now = iter(range(1, 1000))
    with tempfile.TemporaryDirectory(prefix="fuzz-uploads-") as folder:
        store = UploadStore(Path(folder), keep=3, clock=lambda: 1_700_000_000.0 + next(now))
        latest: dict[UploadKind, bytes] = {}
        for number, (kind, body) in enumerate(uploads):
            grant = tokens.take(tokens.issue("kiosk-t1-01", f"cmd-{number}", kind, 60))
            if taken_or_refused(kind, body):
                store.save(grant, body)
                latest[kind] = body
            kept = store.latest("kiosk-t1-01", kind)
            assert (kept.read_bytes() if kept else None) == latest.get(kind)


def test_inputs_that_once_failed_are_taken_or_refused():
    for name, body in corpus("uploads"):
        for kind in UploadKind:
            try:
                taken_or_refused(kind, body)
            except Exception as error:
                raise AssertionError(f"corpus/uploads/{name} as {kind}: {error!r}") from error
