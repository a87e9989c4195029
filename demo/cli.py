"""``python -m demo``: broker (embedded unless one is given), ``central``, a printer emulator and a kiosk
printing on it, on one machine.

Exit status: 0 after a stop (Ctrl-C, SIGTERM, ``--duration``, or the reader of its output going away), 1
when something could not start or a program ended by itself (the lines before say which and why), 2 for a
wrong option.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import signal
import socket
import sys
from collections.abc import Awaitable, Coroutine, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from bus.codec import encode
from bus.link import Publication
from bus.messages.device import Command
from bus.topics import TopicKind
from demo import qt_libraries
from demo.broker import EmbeddedBroker
from demo.bus_watch import BusWatch
from demo.options import Options, parse
from demo.output import Output
from demo.passenger import SimulatedPassenger
from demo.ports import free_port, port_is_free
from demo.processes import Program, ProgramTrouble, how_it_ended

START_TIMEOUT_S = 60.0
BROKER_FIRST_TRY_S = 3.0
SCREENSHOT_WAIT_S = 60.0
DEMO_AGENT_ID = "demo-agent"
DEMO_ROLES = "agent,supervisor,facilities"
KIOSK_ID = "kiosk-demo-1"
SIGNAGE_ID = "signage-demo-1"
PRINTER_BAUD = 9600  # the printer's default: receipts come out at the speed a real one prints them
EMBEDDED_BROKER_PORT = 1883
DEMO_POINT_ID = "T1-GATE-1"  # one info point of the sample registry for HAK, whose phone page the demo shows
FLEET_PREFIX = "sim"


class CannotStart(Exception):
    """Something the demo needs is not there; the message lines say what and what to do."""

    def __init__(self, *lines: str) -> None:
        super().__init__(lines[0])
        self.lines = lines


def display_mode(environ: Mapping[str, str]) -> str | None:
    """The Qt platform the demo asks its kiosk for: None to open a window (or keep the caller's choice),
    "offscreen" where there is no display (the kiosk refuses to guess)."""
    if environ.get("QT_QPA_PLATFORM") or environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return "offscreen"


class Demo:
    def __init__(self, options: Options, out: Output) -> None:
        self.options = options
        self.out = out
        self.state = options.state_dir.resolve()
        self.stopping = asyncio.Event()
        self.stop_reason = ""
        self.broker: EmbeddedBroker | None = None
        self.watch: BusWatch | None = None
        self.central: Program | None = None
        self.kiosk: Program | None = None
        self.signage: Program | None = None
        self.fleet: Program | None = None
        self.passenger: SimulatedPassenger | None = None
        self._passenger_task: asyncio.Task[None] | None = None
        self._posters_task: asyncio.Task[None] | None = None
        self.posters = self.state / "posters"
        self._startup: asyncio.Task[None] | None = None
        self._screenshot_task: asyncio.Task[None] | None = None
        self.offscreen = display_mode(os.environ) == "offscreen" or os.environ.get("QT_QPA_PLATFORM") == "offscreen"
        self.screenshot = self.state / "kiosk-home.png"
        self.printer: Program | None = None
        self.receipts = self.state / "receipts"
        self.printer_link = self.state / "printer" / "port"

    def say(self, text: str) -> None:
        self.out.say(f"demo: {text}")

    def warn(self, text: str) -> None:
        self.out.warn(f"demo: {text}")

    def stop(self, reason: str) -> None:
        if not self.stopping.is_set():
            self.stop_reason = reason
            self.stopping.set()
        if self._startup is not None and not self._startup.done():
            self._startup.cancel()

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(signum, self.stop, signal.Signals(signum).name)
        self.out.watch(lambda: self.stop("nobody reads the output any more"))
        try:
            self._startup = asyncio.create_task(self._start(), name="demo start")
            try:
                await self._startup
            except asyncio.CancelledError:
                if self.stopping.is_set():
                    return 0
                raise
            except CannotStart as problem:
                for line in problem.lines:
                    self.warn(line)
                return 1
            except ProgramTrouble as trouble:
                for line in trouble.lines():
                    self.warn(line)
                return 1
            return await self._serve()
        finally:
            self.out.unwatch()
            await self._shut_down()

    # --- starting ------------------------------------------------------------------------------------------

    async def _start(self) -> None:
        if qt_libraries.wants_a_window(os.environ):
            missing = await asyncio.to_thread(qt_libraries.missing_libraries)
            if missing:
                raise CannotStart(*qt_libraries.advice(missing))
        http_port = self.options.http_port
        if not port_is_free(http_port):
            raise CannotStart(
                f"port {http_port} on 127.0.0.1 is taken (is another demo or central still running?); "
                f"stop that program, or give the demo another port: --http-port PORT"
            )
        self.state.mkdir(parents=True, exist_ok=True)
        broker_url = await self._start_broker()
        central_env = {
            "CENTRAL_BUS__URL": broker_url,
            "CENTRAL_HTTP__PORT": str(http_port),
            "CENTRAL_APP__STATE_DIR": str(self.state / "central"),
        }
        password = await self._demo_agent(central_env)
        self.central = Program("central", central_env, self.out.say)
        await self.central.start()
        line = await self.central.wait_for_line("facilities page at", START_TIMEOUT_S)
        facilities = line.split(" at ", 1)[1].strip()
        base = facilities.rsplit("/", 1)[0]

        await self._start_printer()

        self.screenshot.unlink(missing_ok=True)  # so that only this run's picture is reported
        since = datetime.now(UTC) - timedelta(seconds=1)
        self.kiosk = Program("kiosk", self._kiosk_env(broker_url), self.out.say)
        await self.kiosk.start()
        assert self.watch is not None
        await self._ready(self.kiosk, self.watch.wait_device_online(KIOSK_ID, since, START_TIMEOUT_S))
        self.signage = Program("signage", self._signage_env(broker_url), self.out.say)
        await self.signage.start()
        await self._ready(self.signage, self.watch.wait_device_online(SIGNAGE_ID, since, START_TIMEOUT_S))
        await self._start_fleet(broker_url)

        self.out.say("")
        self.say("running. Open in a browser:")
        self.say(f"  facilities (fleet)  {facilities}")
        self.say(f"  agent console       {base}/agent")
        self.say(f"      sign in as {DEMO_AGENT_ID} with password {password} (made for this run)")
        self.say(f"  wallboard           {base}/wallboard")
        self.say(f"  an info point       {base}/p/{DEMO_POINT_ID}   (the page a phone opens from its QR)")
        if self.offscreen:
            self.say("no display here, so the kiosk runs offscreen; a screenshot of its home screen follows")
        else:
            self.say("the kiosk window is open on your display")
        where = "offscreen" if self.offscreen else "in a window beside the kiosk"
        self.say(f"the signage display ({SIGNAGE_ID}) shows the simulated flight boards {where}")
        if self.fleet is not None:
            self.say(
                f"{self.options.fleet} simulated kiosks and displays ({FLEET_PREFIX}-…) report to the facilities "
                "page beside them"
            )
        self._screenshot_task = asyncio.create_task(self._report_screenshot(), name="screenshot")
        self._posters_task = asyncio.create_task(self._write_posters(central_env, base), name="posters")
        if self.options.call:
            self.passenger = SimulatedPassenger(broker_url, self.state / "passenger", self.out.say)
            self.say(f"a simulated passenger calls for video help: answer in the agent console at {base}/agent")
            self._passenger_task = asyncio.create_task(self._run_passenger(self.passenger), name="passenger")
        self.say(f"the kiosk prints on an emulated ticket printer; receipts land as PNGs in {self.receipts}")
        self._print_test_page()
        self.say("press Ctrl-C to stop everything")

    async def _start_broker(self) -> str:
        if self.options.broker:
            url = self.options.broker
            self.say(f"using the broker at {url}")
        else:
            port = EMBEDDED_BROKER_PORT
            if not port_is_free(port):
                port = free_port()
                self.say(
                    f"port {EMBEDDED_BROKER_PORT} is taken (a broker already running? to use it: "
                    f"--broker mqtt://127.0.0.1:{EMBEDDED_BROKER_PORT}); the embedded broker uses port {port}"
                )
            self.broker = EmbeddedBroker(port)
            await self.broker.start()
            url = self.broker.url
            self.say(f"no broker given; started an embedded one at {url}")
        self.watch = BusWatch(url)
        await self.watch.start()
        if not await self.watch.wait_online(min(BROKER_FIRST_TRY_S, self.options.broker_wait_s)):
            problem = await self._broker_problem()
            wait_s = self.options.broker_wait_s
            self.say(f"waiting for the broker at {self.watch.where} ({problem}), at most {wait_s:g} s")
            if not await self.watch.wait_online(wait_s):
                raise CannotStart(
                    f"cannot reach the broker at {self.watch.where} ({await self._broker_problem()}); "
                    "start it, check --broker, or leave --broker out to use an embedded one"
                )
        return url

    async def _broker_problem(self) -> str:
        """Why the broker does not answer, as the network says it ("Connection refused"), or the link's word."""
        assert self.watch is not None
        settings = self.watch.settings
        try:
            async with asyncio.timeout(3.0):
                _, writer = await asyncio.open_connection(settings.host, settings.port)
        except TimeoutError:
            return "no answer within 3 s"
        except socket.gaierror as exc:
            return f"{settings.host}: {exc.strerror}"
        except OSError as exc:  # asyncio's own text hides the reason: say it as the system does
            return os.strerror(exc.errno) if exc.errno else str(exc)
        writer.close()
        return self.watch.last_problem or "it accepts connections but gives no MQTT answer"

    async def _demo_agent(self, central_env: dict[str, str]) -> str:
        """Make (or reset) the demo's agent account with a fresh random password, and return the password."""
        password = secrets.token_urlsafe(9)
        env = {**os.environ, **central_env}
        output = b""
        # one account for every page of the demo: the console, the wallboard and the facilities page
        name = ["--name", "Demo Agent 演示坐席", "--skills", "zh,en,sign", "--roles", DEMO_ROLES]
        for command in (
            ["agent", "add", DEMO_AGENT_ID, *name, "--password-stdin"],
            ["agent", "password", DEMO_AGENT_ID, "--password-stdin"],
        ):
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "central", *command, env=env,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
            output, _ = await process.communicate(password.encode() + b"\n")
            if process.returncode == 0 and command[1] == "password":  # an account from an older demo
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "central", "agent", "roles", DEMO_AGENT_ID, DEMO_ROLES, env=env,
                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
                )  # fmt: skip
                output, _ = await process.communicate()
            if process.returncode == 0:
                return password
        said = output.decode(errors="replace").strip().splitlines()[-5:]
        raise CannotStart(
            "could not make the demo agent account (python -m central agent password "
            f"{DEMO_AGENT_ID} {how_it_ended(process.returncode or 0)}):",
            *(f"  | {line}" for line in said),
        )

    async def _write_posters(self, central_env: dict[str, str], base: str) -> None:
        """The info points' posters for this run's address, as ``central posters`` writes them for print."""
        process = await asyncio.create_subprocess_exec(
            # under demo.child, as every program of the demo: it ends with the demo however the demo ends
            sys.executable, "-m", "demo.child", str(os.getpid()), "central", "posters",
            "--out", str(self.posters), "--url", base,
            env={**os.environ, **central_env}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        try:
            output, _ = await process.communicate()
        except asyncio.CancelledError:
            process.kill()
            await process.wait()
            raise
        if process.returncode == 0:
            self.say(f"the info points' posters (PDF, PNG, SVG; all on one sheet) are in {self.posters}")
            return
        said = output.decode(errors="replace").strip().splitlines()[-3:]
        self.say(f"no posters: central posters {how_it_ended(process.returncode or 0)}:")
        for line in said:
            self.say(f"  | {line}")

    async def _start_printer(self) -> None:
        """The printer emulator on a pty, behind a stable link the kiosk is configured with."""
        folder = self.state / "printer"
        folder.mkdir(parents=True, exist_ok=True)
        args = [
            "--out",
            str(self.receipts),
            "--paper",
            "80",
            "--baud",
            str(PRINTER_BAUD),
            "--link",
            str(self.printer_link),
        ]
        args += ["--control", str(folder / "control.sock")]
        self.printer = Program("printer", {}, self.out.say, module="hardware.printer.emulator", args=args)
        await self.printer.start()
        await self.printer.wait_for_line("printer emulator: control", START_TIMEOUT_S)

    async def _start_fleet(self, broker_url: str) -> None:
        """The simulated fleet (``python -m demo.fleet``), so the facilities page shows an airport's worth."""
        if self.options.fleet == 0:
            return
        args = ["--broker", broker_url, "--devices", str(self.options.fleet), "--prefix", FLEET_PREFIX]
        # spread over 10 s: the embedded broker (amqtt) trips over many connects at once (a race in its
        # subscription handling), and the devices would only retry
        args += ["--health-every", "10", "--event-every", "30", "--report-every", "600", "--ramp", "10"]
        args += ["--seq-file", str(self.state / "fleet-seqs.json")]
        self.fleet = Program("fleet", {}, self.out.say, module="demo.fleet", args=args)
        await self.fleet.start()
        await self.fleet.wait_for_line("devices to ", START_TIMEOUT_S)  # they come online over the ramp

    def _print_test_page(self) -> None:
        """Ask the kiosk for its test page over the bus, as facilities staff would: a first receipt to look at."""
        assert self.watch is not None
        command = Command(id=f"demo-{secrets.token_hex(4)}", name="print_test")
        topic = self.watch.topics.device(KIOSK_ID, TopicKind.COMMAND)
        self.watch.link.publish(Publication(topic, encode(command), qos=1))

    def _kiosk_env(self, broker_url: str) -> dict[str, str]:
        env = {
            "KIOSK_BUS__URL": broker_url,
            "KIOSK_BUS__DEVICE_ID": KIOSK_ID,
            "KIOSK_BUS__LOCATION": "T1 Departures, Hall B",
            "KIOSK_APP__STATE_DIR": str(self.state / "kiosk"),
            "KIOSK_HEALTH__INTERVAL_S": "5",
            "KIOSK_UI__FULLSCREEN": "false",
            "KIOSK_UI__WIDTH": "720",
            "KIOSK_UI__HEIGHT": "1280",
            "KIOSK_UI__SCREENSHOT": str(self.screenshot),
            "KIOSK_PRINTER__ENABLED": "true",
            "KIOSK_PRINTER__PORT": str(self.printer_link),
            "KIOSK_PRINTER__BAUD": str(PRINTER_BAUD),
            "KIOSK_PRINTER__PAPER_MM": "80",
        }
        platform = display_mode(os.environ)
        if platform is not None:
            env["QT_QPA_PLATFORM"] = platform
        return env

    def _signage_env(self, broker_url: str) -> dict[str, str]:
        env = {
            "SIGNAGE_BUS__URL": broker_url,
            "SIGNAGE_BUS__DEVICE_ID": SIGNAGE_ID,
            "SIGNAGE_BUS__LOCATION": "T1 Departures, Hall B",
            "SIGNAGE_APP__STATE_DIR": str(self.state / "signage"),
            "SIGNAGE_HEALTH__INTERVAL_S": "5",
            "SIGNAGE_DISPLAY__FULLSCREEN": "false",
            "SIGNAGE_DISPLAY__WIDTH": "960",
            "SIGNAGE_DISPLAY__HEIGHT": "540",
        }
        platform = display_mode(os.environ)
        if platform is not None:
            env["QT_QPA_PLATFORM"] = platform
        return env

    async def _ready(self, program: Program, ready: Coroutine[Any, Any, bool]) -> None:
        """Wait for ``ready`` (True in time); the program ending first or ``ready`` giving up is trouble."""
        readiness = asyncio.ensure_future(ready)
        exit_ = asyncio.ensure_future(program.wait_exited())
        try:
            await asyncio.wait({readiness, exit_}, return_when=asyncio.FIRST_COMPLETED)
            if exit_.done():
                raise exit_.result()
            if not readiness.result():
                raise program.slow(START_TIMEOUT_S)
        finally:
            for task in (readiness, exit_):
                task.cancel()
            await asyncio.gather(readiness, exit_, return_exceptions=True)

    async def _report_screenshot(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SCREENSHOT_WAIT_S
        # another process writes it: look for it a few times a second (it is written once, then renamed or closed)
        while not (self.screenshot.exists() and self.screenshot.stat().st_size > 0):
            if loop.time() > deadline:
                self.say(f"the kiosk saved no screenshot within {SCREENSHOT_WAIT_S:g} s (see its lines above)")
                return
            await asyncio.sleep(0.2)
        self.say(f"screenshot of the kiosk's home screen: {self.screenshot}")

    async def _run_passenger(self, passenger: SimulatedPassenger) -> None:
        try:
            await passenger.run()
        except Exception as exc:  # the demo goes on without the passenger, and says why
            logging.getLogger("demo").debug("the simulated passenger failed", exc_info=True)
            passenger.say(f"gave up: {type(exc).__name__}: {exc}")

    # --- running and stopping ------------------------------------------------------------------------------

    async def _serve(self) -> int:
        assert self.central is not None and self.kiosk is not None
        waits: dict[asyncio.Future[Any], str] = {
            asyncio.ensure_future(self.stopping.wait()): "stop",
            asyncio.ensure_future(self.central.wait_exited()): "central",
            asyncio.ensure_future(self.kiosk.wait_exited()): "kiosk",
        }
        if self.printer is not None:
            waits[asyncio.ensure_future(self.printer.wait_exited())] = "printer"
        if self.signage is not None:
            waits[asyncio.ensure_future(self.signage.wait_exited())] = "signage"
        if self.fleet is not None:
            waits[asyncio.ensure_future(self.fleet.wait_exited())] = "fleet"
        try:
            done, _ = await asyncio.wait(waits, timeout=self.options.duration_s, return_when=asyncio.FIRST_COMPLETED)
            for future in done:
                if waits[future] in ("central", "kiosk", "printer", "signage", "fleet") and not self.stopping.is_set():
                    for line in future.result().lines():
                        self.warn(line)
                    return 1
            if not done:
                self.stop_reason = f"--duration {self.options.duration_s:g} s is over"
            return 0
        finally:
            for future in waits:
                future.cancel()
            await asyncio.gather(*waits, return_exceptions=True)

    async def _shut_down(self) -> None:
        if self.watch is None:
            return  # nothing was started
        why = f" ({self.stop_reason})" if self.stop_reason else ""
        self.say(f"stopping{why}")
        for task in (self._screenshot_task, self._posters_task):
            if task is not None:
                task.cancel()
        if self._posters_task is not None:
            await asyncio.gather(self._posters_task, return_exceptions=True)
        if self.passenger is not None and self._passenger_task is not None:
            await _finish(self.passenger.stop(), self._passenger_task)
        for program in (self.fleet, self.signage, self.kiosk, self.printer, self.central):
            if program is not None:
                await program.stop()
        if self.watch is not None:
            await self.watch.stop()
        if self.broker is not None:
            await self.broker.stop()
        self.say("stopped")


async def _finish(stop: Awaitable[None], task: asyncio.Task[None]) -> None:
    """Ask a task's owner to finish (``stop``), then make sure the task has ended."""
    try:
        await asyncio.wait_for(stop, 10.0)
    except Exception:
        logging.getLogger("demo").warning("the simulated passenger did not hang up cleanly", exc_info=True)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    out = Output()
    return asyncio.run(Demo(options, out).run())


if __name__ == "__main__":
    sys.exit(main())
