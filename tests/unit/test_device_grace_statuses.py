"""central.calls.devices turns each device status into the switchboard's grace: a Last Will keeps a connected
call, the birth after it lets it go on, a clean shutdown or a retirement ends it at once."""

from __future__ import annotations

from typing import Any

import pytest

from bus.codec import encode
from bus.messages.device import DeviceKind, DeviceStatus, OfflineReason
from bus.topics import TopicKind, Topics
from central.calls.devices import DeviceCallers
from central.switchboard import LivePhase
from tests.peers.switchboard import Board

TOPICS = Topics("airport/HAK")
KIOSK = "kiosk-1"


class NoLink:
    """The statuses are handed in directly; nothing is published."""

    def subscribe(self, *_args: Any, **_kwargs: Any) -> None: ...

    def publish(self, *_args: Any) -> bool:
        return True


@pytest.fixture
def board() -> Board:
    return Board(device_grace_s=30.0)


def status(online: bool, reason: OfflineReason | None = None) -> bytes:
    return encode(DeviceStatus(online=online, kind=DeviceKind.KIOSK, reason=reason))


def hear(board: Board, payload: bytes) -> None:
    callers = DeviceCallers(NoLink(), TOPICS, board.sb)  # type: ignore[arg-type]
    callers.handle_status(TOPICS.device(KIOSK, TopicKind.DEVICE_STATUS), payload)


def connected(board: Board) -> str:
    board.agent("chen")
    call_id = board.call(KIOSK)
    board.connect("chen")
    return call_id


def test_a_last_will_keeps_the_call_and_the_birth_after_it_lets_it_go_on(board: Board):
    call_id = connected(board)

    hear(board, status(False, OfflineReason.LOST))
    assert board.consoles["chen"].last("caller_away")["call"] == call_id
    hear(board, status(True))
    board.advance(60)

    assert board.consoles["chen"].last("caller_back")["call"] == call_id
    assert board.phase(call_id) is LivePhase.CONNECTED


@pytest.mark.parametrize("payload", [status(False, OfflineReason.SHUTDOWN), b""], ids=["shutdown", "retired"])
def test_a_clean_shutdown_or_a_retirement_ends_the_call_at_once(board: Board, payload: bytes):
    call_id = connected(board)

    hear(board, payload)

    assert board.phase(call_id) is None
    assert board.consoles["chen"].last("ended")["reason"] == "caller_lost"


def test_a_malformed_status_changes_nothing(board: Board):
    call_id = connected(board)

    hear(board, b'{"v": 1, "online": "perhaps"}')

    assert board.phase(call_id) is LivePhase.CONNECTED
    assert "caller_away" not in board.consoles["chen"].types()
