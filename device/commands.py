"""Commands from central on the device's ``cmd`` topic, each answered on ``cmd/reply``.

Handlers register by name (``print_test`` on a kiosk, ``screen`` on a signage display, and on both the
commands of :mod:`device.maintenance`), so a program answers what it can and says so for the rest. Every
command gets exactly one reply, also an unknown or a failing one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bus.codec import MalformedLog, MalformedMessage, decode, encode
from bus.link import BusLink, Publication
from bus.messages.device import Command, CommandReply
from bus.topics import TopicKind, Topics

log = logging.getLogger(__name__)

CommandHandler = Callable[[dict[str, Any]], Awaitable[str]]
"""Does the command with its ``args``; returns the reply's detail, or raises CommandRefused."""


class CommandRefused(Exception):
    """The command cannot be done now or with these arguments; the message goes into the reply."""


class DeviceCommands:
    """Subscribes to this device's ``cmd`` topic and runs each command's handler."""

    def __init__(self, link: BusLink, topics: Topics, device_id: str) -> None:
        self._link = link
        self._device_id = device_id
        self._reply_topic = topics.device(device_id, TopicKind.COMMAND_REPLY)
        self._handlers: dict[str, CommandHandler] = {}
        self._after_reply: dict[str, Callable[[], None]] = {}
        self._running: set[asyncio.Task[None]] = set()
        self._malformed = MalformedLog(log)
        link.subscribe(topics.device(device_id, TopicKind.COMMAND), self._on_command)

    def register(self, name: str, handler: CommandHandler, after_reply: Callable[[], None] | None = None) -> None:
        """``after_reply`` runs once the handler's ``ok`` reply is queued on the link: for a command whose
        effect would stop the reply from going out (``restart_app``)."""
        if name in self._handlers:
            raise ValueError(f"command {name!r} already has a handler")
        self._handlers[name] = handler
        if after_reply is not None:
            self._after_reply[name] = after_reply

    @property
    def names(self) -> list[str]:
        return sorted(self._handlers)

    async def run(self, command: Command) -> CommandReply:
        """The reply to ``command``: what the handler said, or why it could not be done."""
        handler = self._handlers.get(command.name)
        if handler is None:
            known = ", ".join(self.names) or "none"
            return CommandReply(
                id=command.id, ok=False, detail=f"unknown command {command.name!r} (this device knows {known})"
            )
        try:
            detail = await handler(command.args)
        except CommandRefused as exc:
            return CommandReply(id=command.id, ok=False, detail=str(exc)[:4000])
        except Exception as exc:
            log.exception("command %s (%s) failed", command.name, command.id)
            return CommandReply(id=command.id, ok=False, detail=f"failed: {exc}"[:4000])
        return CommandReply(id=command.id, ok=True, detail=detail[:4000])

    async def stop(self) -> None:
        for task in list(self._running):
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)

    def _on_command(self, _topic: str, payload: bytes) -> None:
        try:
            command = decode(TopicKind.COMMAND, payload)
        except MalformedMessage as exc:
            self._malformed.report(TopicKind.COMMAND, "central", exc.reason)
            return
        log.info("command %s (%s) on %s", command.name, command.id, self._device_id)
        task = asyncio.get_running_loop().create_task(self._answer(command), name=f"command-{command.id}")
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _answer(self, command: Command) -> None:
        reply = await self.run(command)
        log.info("command %s (%s): %s %s", command.name, command.id, "ok" if reply.ok else "refused", reply.detail)
        self._link.publish(Publication(self._reply_topic, encode(reply), qos=1))
        after = self._after_reply.get(command.name)
        if reply.ok and after is not None:
            after()
