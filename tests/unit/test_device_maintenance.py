"""The fleet commands' device side without a broker: the log ring keeps no secret, notices come and go on
the clock, bad arguments get a reply that names them, and ``restart_app`` acts only after its reply."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bus.messages.device import Command
from device.commands import CommandRefused, DeviceCommands
from device.logs import REDACTED, LogRing, install_log_ring, redact
from device.maintenance import collect_logs_command, register_device_commands
from device.notice import NoticeBoard, show_notice_command
from device.upload import upload_target

SECRET = "s3cret-broker-pass"
TOKEN = "A" * 32
UPLOAD = {"upload_url": "http://127.0.0.1:8080/api/fleet/uploads", "token": TOKEN}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class RecordingLink:
    """What DeviceCommands needs of a link: it subscribes once and publishes replies."""

    def __init__(self) -> None:
        self.published: list[bytes] = []

    def subscribe(self, _pattern: str, _handler: object) -> None:
        pass

    def publish(self, publication) -> bool:
        self.published.append(publication.payload)
        return True


def test_the_ring_keeps_the_last_lines_and_blots_out_secrets():
    ring = LogRing(capacity=3, secrets=[SECRET])
    logger = logging.getLogger("test.ring")
    logger.addHandler(ring)
    logger.setLevel(logging.INFO)
    try:
        logger.info("connecting with password=%s", "hunter22")
        logger.info("broker said: bad credentials for %s", SECRET)
        logger.info("GET /x Authorization: Bearer abc.def-ghi")
        logger.info("token: 'tok_1234567890'")
    finally:
        logger.removeHandler(ring)
    lines = ring.tail(10)
    assert len(lines) == 3, "the oldest line went"
    text = "\n".join(lines)
    for secret in (SECRET, "abc.def-ghi", "tok_1234567890"):
        assert secret not in text
    assert text.count(REDACTED) >= 4
    assert ring.tail(1) == lines[-1:]


@settings(max_examples=60)
@given(secret=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=4, max_size=40))
def test_a_known_secret_never_survives_redaction(secret):
    assert secret not in redact(f"x {secret} y password={secret}", [secret])


async def test_show_notice_shows_replaces_clears_and_ends_on_the_clock():
    clock = FakeClock()
    board = NoticeBoard(clock)
    seen = []
    board.add_listener(seen.append)
    show = show_notice_command(board)
    assert await show({"zh": "一", "en": "one", "minutes": 10}) == "notice shown for 10 min"
    await show({"zh": "二", "en": "two", "minutes": 1})
    assert board.current().text("en") == "two", "a newer notice replaces"
    assert board.current().text("zh-CN") == "二"
    clock.now += 59
    assert board.current() is not None
    clock.now += 2
    assert board.current() is None, "over after its minutes"
    await show({"zh": "三", "en": "three", "minutes": 5})
    assert await show({"minutes": 0}) == "notice cleared"
    assert board.current() is None
    assert [notice.en if notice else None for notice in seen] == ["one", "two", "three", None]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ({"zh": "一", "en": "one"}, "'minutes'"),
        ({"zh": "一", "en": "one", "minutes": 2000}, "'minutes'"),
        ({"zh": "一", "en": "one", "minutes": True}, "'minutes'"),
        ({"en": "one", "minutes": 5}, "'zh'"),
        ({"zh": "一", "en": "  ", "minutes": 5}, "'en'"),
        ({"zh": "一", "en": "x" * 201, "minutes": 5}, "'en'"),
    ],
)
async def test_show_notice_with_bad_args_is_refused_naming_the_argument(args, named):
    board = NoticeBoard(FakeClock())
    with pytest.raises(CommandRefused, match=named):
        await show_notice_command(board)(args)
    assert board.current() is None, "nothing shown"


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ({"token": TOKEN}, "'upload_url'"),
        ({"upload_url": "file:///etc/passwd", "token": TOKEN}, "'upload_url'"),
        ({"upload_url": "http://central/api", "token": "short"}, "'token'"),
        ({"upload_url": "http://central/api", "token": "a b" * 10}, "'token'"),
    ],
)
def test_an_upload_target_names_its_bad_argument(args, named):
    with pytest.raises(CommandRefused, match=named):
        upload_target("screenshot", args)


async def test_collect_logs_with_a_bad_line_count_is_refused_before_anything_is_sent():
    with pytest.raises(CommandRefused, match="'lines'"):
        await collect_logs_command(LogRing())({**UPLOAD, "lines": 0})


async def test_restart_app_restarts_only_after_its_reply_went_out():
    link = RecordingLink()
    commands = DeviceCommands(link, _topics(), "kiosk-t1-01")  # type: ignore[arg-type]
    order = []
    register_device_commands(
        commands, notices=NoticeBoard(), logs=LogRing(), restart=lambda: order.append(len(link.published))
    )
    await commands._answer(Command(id="c1", name="restart_app"))
    assert order == [1], "restarted once, after one reply was published"
    await commands._answer(Command(id="c2", name="show_notice", args={"minutes": -1}))
    assert order == [1], "a refused command runs nothing after its reply"
    assert b'"ok":false' in link.published[1] and b"'minutes'" in link.published[1]


def _topics():
    from bus.topics import Topics

    return Topics("airport/HAK")


def test_a_program_built_twice_in_one_process_keeps_one_ring_with_both_secrets():
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        first = install_log_ring(["first-secret"])
        second = install_log_ring(["second-secret"])
        assert first is second
        assert sum(isinstance(handler, LogRing) for handler in root.handlers) == 1
        logging.getLogger("test.twice").warning("first-secret and second-secret")
        assert "secret" not in first.tail(1)[0].split(": ", 1)[1].replace(REDACTED, "")
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
