"""A scripted switchboard + agent (a real aiortc peer) in a process of its own, so that a benchmark of the
kiosk's side does not also pay for the agent's encoding and decoding.

The parent speaks call signalling to it as JSON lines: ``call/out`` messages on the child's stdin, ``call/in``
messages on its stdout. Control lines on stdin: ``{"cmd": "hangup"}`` and ``{"cmd": "stats"}`` (answered
with ``{"frames_received": N, "delays_ms": [...]}``, the one-way delays of the kiosk's pictures read since the
last stats when started with ``--stamped``).
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from bus import codec
from bus.messages.call import CALL_IN
from bus.topics import TopicKind
from video.signalling import SignallingUnavailable


class PipeSignalling:
    """The kiosk's side of signalling to an :mod:`bench.agent_process` child over its stdin and stdout."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdin is not None and process.stdout is not None
        self._process = process
        self._stdin = process.stdin
        self._stdout = process.stdout
        self._replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._messages: asyncio.Queue[Any] = asyncio.Queue()
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def spawn(cls, width: int, height: int, stamped: bool = False) -> PipeSignalling:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.agent_process", str(width), str(height), *(["--stamped"] if stamped else []),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        return cls(process)

    async def send(self, message: Any) -> None:
        if self._process.returncode is not None:
            raise SignallingUnavailable("the agent process has exited")
        self._stdin.write(codec.encode(message) + b"\n")
        await self._stdin.drain()

    async def receive(self) -> Any:
        return await self._messages.get()

    async def command(self, name: str) -> dict[str, Any] | None:
        self._stdin.write(json.dumps({"cmd": name}).encode() + b"\n")
        await self._stdin.drain()
        return await self._replies.get() if name == "stats" else None

    async def close(self) -> None:
        self._stdin.close()
        try:
            await asyncio.wait_for(self._process.wait(), 10)
        except TimeoutError:
            self._process.kill()
            await self._process.wait()
        self._reader.cancel()

    async def _read(self) -> None:
        async for line in self._stdout:
            data = json.loads(line)
            if "frames_received" in data:
                self._replies.put_nowait(data)
            else:
                self._messages.put_nowait(CALL_IN.validate_python(data))


async def _child(width: int, height: int, stamped: bool) -> None:
    from demo.agent_peer import AgentPeer
    from video.signalling import MemorySignallingPair

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    pair = MemorySignallingPair()

    async def to_parent() -> None:
        while True:
            message = await pair.device.receive()
            sys.stdout.write(codec.encode(message).decode() + "\n")
            sys.stdout.flush()

    async with AgentPeer(pair.switchboard, width=width, height=height, stamped=stamped) as agent:
        forward = asyncio.ensure_future(to_parent())
        async for line in reader:
            data = json.loads(line)
            command = data.get("cmd")
            if command == "hangup":
                await agent.hang_up()
            elif command == "stats":
                delays, agent.delays_ms = agent.delays_ms, []
                sys.stdout.write(json.dumps({"frames_received": agent.frames_received, "delays_ms": delays}) + "\n")
                sys.stdout.flush()
            else:
                await pair.device.send(codec.decode(TopicKind.CALL_OUT, line.strip()))
        forward.cancel()


if __name__ == "__main__":
    asyncio.run(_child(int(sys.argv[1]), int(sys.argv[2]), "--stamped" in sys.argv[3:]))
