"""Commands to devices as facilities staff send them: published on the device's ``cmd`` topic, matched to
the one ``cmd/reply`` each gets, and marked *timed out* when none comes in time, so that a command to a
device that is away never just hangs. ``screenshot`` and ``collect_logs`` carry a one-time upload token
(:mod:`central.fleet_uploads`): their file comes over HTTP, the reply only says how it went.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypedDict

from bus.codec import MalformedLog, MalformedMessage, decode, encode
from bus.link import BusLink, Publication
from bus.messages.device import KNOWN_COMMANDS, Command, CommandReply
from bus.topics import TopicKind, Topics
from central.fleet_uploads import UploadKind, UploadTokens

log = logging.getLogger(__name__)

RECENT_PER_DEVICE = 20
MAX_DEVICES = 10_000
UPLOAD_KINDS = {"screenshot": UploadKind.SCREENSHOT, "collect_logs": UploadKind.LOGS}
UPLOAD_PATH = "/api/fleet/uploads"
HIDDEN_ARGS = ("token",)
"""Args never shown back on the page or in the log: the upload token lets one file in."""


class CommandState(StrEnum):
    SENT = "sent"
    DONE = "done"  # the device replied ok
    REFUSED = "refused"  # the device replied not ok
    TIMED_OUT = "timed_out"
    NOT_SENT = "not_sent"  # central was not connected to the broker


class CommandView(TypedDict):
    id: str
    device: str
    name: str
    args: dict[str, Any]
    state: str
    detail: str
    sent_at: str
    answered_at: str | None
    upload: str | None


@dataclass
class SentCommand:
    id: str
    device: str
    name: str
    args: dict[str, Any]
    sent_at: float
    state: CommandState = CommandState.SENT
    detail: str = ""
    answered_at: float | None = None
    upload: UploadKind | None = None

    def view(self) -> CommandView:
        shown = {key: value for key, value in self.args.items() if key not in HIDDEN_ARGS}
        return CommandView(
            id=self.id,
            device=self.device,
            name=self.name,
            args=shown,
            state=self.state.value,
            detail=self.detail,
            sent_at=_iso(self.sent_at),
            answered_at=None if self.answered_at is None else _iso(self.answered_at),
            upload=None if self.upload is None else self.upload.value,
        )


CommandListener = Callable[[CommandView], None]


class UnknownCommand(ValueError):
    """A name no device answers; refused before anything is sent."""


class FleetCommands:
    """Sends commands and follows their replies; a bus handler for ``device/+/cmd/reply``."""

    def __init__(
        self,
        link: BusLink,
        topics: Topics,
        tokens: UploadTokens,
        timeout_s: float,
        upload_base_url: Callable[[], str],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._link = link
        self._topics = topics
        self._tokens = tokens
        self.timeout_s = timeout_s
        self._upload_base_url = upload_base_url
        self._clock = clock
        self._recent: OrderedDict[str, deque[SentCommand]] = OrderedDict()
        self._waiting: dict[str, tuple[SentCommand, asyncio.TimerHandle]] = {}
        self._listeners: list[CommandListener] = []
        self._malformed = MalformedLog(log)

    def add_listener(self, listener: CommandListener) -> None:
        """Called with a command's view when it is sent and when it is answered or times out."""
        self._listeners.append(listener)

    def recent(self, device: str) -> list[CommandView]:
        """The device's last commands, newest first."""
        return [command.view() for command in reversed(self._recent.get(device, ()))]

    def send(self, device: str, name: str, args: dict[str, Any]) -> CommandView:
        """Publish ``name`` to ``device`` (an upload command gets its token and address added to ``args``)."""
        if name not in KNOWN_COMMANDS:
            raise UnknownCommand(f"unknown command {name!r}; known: {', '.join(KNOWN_COMMANDS)}")
        command_id = f"cmd-{secrets.token_hex(8)}"
        args = {key: value for key, value in args.items() if key not in ("upload_url", *HIDDEN_ARGS)}
        sent = SentCommand(command_id, device, name, dict(args), self._clock())
        upload = UPLOAD_KINDS.get(name)
        if upload is not None:
            sent.upload = upload
            token = self._tokens.issue(device, command_id, upload, self.timeout_s)
            args.update(upload_url=self._upload_base_url().rstrip("/") + UPLOAD_PATH, token=token)
            sent.args["upload_url"] = args["upload_url"]
        message = Command(id=command_id, name=name, args=args)
        self._remember(sent)
        if not self._link.publish(Publication(self._topics.device(device, TopicKind.COMMAND), encode(message), qos=1)):
            self._finish(sent, CommandState.NOT_SENT, "not sent: central is not connected to the broker")
            return sent.view()
        log.info("command %s (%s) sent to %s", name, command_id, device)
        handle = asyncio.get_running_loop().call_later(self.timeout_s, self._time_out, command_id)
        self._waiting[command_id] = (sent, handle)
        self._tell(sent)
        return sent.view()

    def handle(self, topic: str, payload: bytes) -> None:
        """A ``cmd/reply`` from a device (a BusLink handler); never raises on what the network sends."""
        match = self._topics.parse(topic)
        if match is None or match.kind is not TopicKind.COMMAND_REPLY or match.device_id is None:
            return
        try:
            reply = decode(TopicKind.COMMAND_REPLY, payload)
        except MalformedMessage as exc:
            self._malformed.report(TopicKind.COMMAND_REPLY, match.device_id, exc.reason[:200])
            return
        assert isinstance(reply, CommandReply)
        waiting = self._waiting.get(reply.id)
        if waiting is None or waiting[0].device != match.device_id:
            # late (after its time-out), a repeat, or a reply to a command another central sent
            log.info("reply to %s from %s matches no command waiting", reply.id, match.device_id)
            return
        sent, handle = waiting
        handle.cancel()
        del self._waiting[reply.id]
        state = CommandState.DONE if reply.ok else CommandState.REFUSED
        self._finish(sent, state, reply.detail)

    def close(self) -> None:
        for _sent, handle in self._waiting.values():
            handle.cancel()
        self._waiting.clear()

    def _time_out(self, command_id: str) -> None:
        waiting = self._waiting.pop(command_id, None)
        if waiting is None:
            return
        sent = waiting[0]
        log.warning("command %s (%s) to %s: no reply in %.0f s", sent.name, command_id, sent.device, self.timeout_s)
        self._finish(sent, CommandState.TIMED_OUT, f"no reply within {self.timeout_s:g} s: is the device online?")

    def _finish(self, sent: SentCommand, state: CommandState, detail: str) -> None:
        sent.state = state
        sent.detail = detail
        sent.answered_at = self._clock()
        if state is not CommandState.TIMED_OUT:
            log.info("command %s (%s) on %s: %s %s", sent.name, sent.id, sent.device, state.value, detail)
        self._tell(sent)

    def _remember(self, sent: SentCommand) -> None:
        recent = self._recent.get(sent.device)
        if recent is None:
            if len(self._recent) >= MAX_DEVICES:
                self._recent.popitem(last=False)
            recent = self._recent[sent.device] = deque(maxlen=RECENT_PER_DEVICE)
        self._recent.move_to_end(sent.device)
        recent.append(sent)

    def _tell(self, sent: SentCommand) -> None:
        view = sent.view()
        for listener in self._listeners:
            try:
                listener(view)
            except Exception:
                log.exception("command listener failed on %s", sent.id)


def _iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat()
