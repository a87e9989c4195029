"""``python -m demo``: broker (embedded unless one is given), ``central``, and a kiosk, on one machine."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import secrets
import signal
import socket
import sys
from pathlib import Path

from demo.broker import EmbeddedBroker
from demo.processes import Program

log = logging.getLogger("demo")

START_TIMEOUT_S = 60.0
DEMO_AGENT_ID = "demo-agent"


async def demo_agent(central_env: dict[str, str]) -> str:
    """Make (or reset) the demo's agent account with a fresh random password, and return the password."""
    password = secrets.token_urlsafe(9)
    env = {**os.environ, **central_env}
    for command in (
        ["agent", "add", DEMO_AGENT_ID, "--name", "Demo Agent 演示坐席", "--skills", "zh,en,sign", "--password-stdin"],
        ["agent", "password", DEMO_AGENT_ID, "--password-stdin"],
    ):
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "central", *command, env=env,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        await process.communicate(password.encode() + b"\n")
        if process.returncode == 0:
            return password
    raise RuntimeError("could not create the demo agent account (see: python -m central agent --help)")


def port_or_free(preferred: int) -> int:
    """``preferred`` if nothing listens there on loopback, else any free port."""
    for candidate in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError("no free TCP port on 127.0.0.1")


async def run(args: argparse.Namespace) -> int:
    state = args.state_dir.resolve()
    state.mkdir(parents=True, exist_ok=True)
    broker: EmbeddedBroker | None = None
    if args.broker:
        broker_url = args.broker
        print(f"demo: using the broker at {broker_url}", flush=True)
    else:
        broker = EmbeddedBroker(port_or_free(1883))
        await broker.start()
        broker_url = broker.url
        print(f"demo: no broker given; started an embedded one at {broker_url}", flush=True)

    http_port = port_or_free(args.http_port)
    central_env = {
        "CENTRAL_BUS__URL": broker_url,
        "CENTRAL_HTTP__PORT": str(http_port),
        "CENTRAL_APP__STATE_DIR": str(state / "central"),
    }
    agent_password = await demo_agent(central_env)
    central = Program("central", central_env)
    offscreen = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    screenshot = state / "kiosk-home.png"
    kiosk_env = {
        "KIOSK_BUS__URL": broker_url,
        "KIOSK_BUS__DEVICE_ID": "kiosk-demo-1",
        "KIOSK_BUS__LOCATION": "T1 Departures, Hall B",
        "KIOSK_APP__STATE_DIR": str(state / "kiosk"),
        "KIOSK_HEALTH__INTERVAL_S": "5",
        "KIOSK_UI__FULLSCREEN": "false",
        "KIOSK_UI__WIDTH": "720",
        "KIOSK_UI__HEIGHT": "1280",
        "KIOSK_UI__SCREENSHOT": str(screenshot),
    }
    if offscreen:
        kiosk_env["QT_QPA_PLATFORM"] = "offscreen"
    kiosk = Program("kiosk", kiosk_env)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    status = 0
    try:
        await central.start()
        line = await central.wait_for_line("facilities page at", START_TIMEOUT_S)
        facilities = line.split(" at ", 1)[1].strip()
        base = facilities.rsplit("/", 1)[0]
        await kiosk.start()
        await kiosk.wait_for_line("screenshot of the home screen saved", START_TIMEOUT_S)
        print("", flush=True)
        print("demo: running. Open in a browser:", flush=True)
        print(f"demo:   facilities (fleet)  {facilities}", flush=True)
        print(f"demo:   agent console       {base}/agent", flush=True)
        print(f"demo:       sign in as {DEMO_AGENT_ID} with password {agent_password} (made for this run)", flush=True)
        print(f"demo:   wallboard           {base}/wallboard", flush=True)
        if offscreen:
            print(
                f"demo: no display here, so the kiosk runs offscreen; its home screen is in {screenshot}",
                flush=True,
            )
        else:
            print("demo: the kiosk window is open on your display", flush=True)
        print("demo: press Ctrl-C to stop everything", flush=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), args.duration)
    except TimeoutError:
        print("demo: a program did not start in time; stopping", file=sys.stderr, flush=True)
        status = 1
    finally:
        print("demo: stopping", flush=True)
        await kiosk.stop()
        await central.stop()
        if broker is not None:
            await broker.stop()
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="demo", description="Run the airport kiosk system on this machine.")
    parser.add_argument("--broker", help="use this broker (mqtt://host:port) instead of an embedded one")
    parser.add_argument("--http-port", type=int, default=8080, help="central's web port if free (default 8080)")
    parser.add_argument("--state-dir", type=Path, default=Path("demo-state"), help="where the demo keeps files")
    parser.add_argument("--duration", type=float, default=None, help="stop by itself after this many seconds")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
