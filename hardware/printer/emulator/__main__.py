"""``python -m hardware.printer.emulator``: a thermal printer on a pseudo-terminal.

Prints ``printer emulator: port /dev/pts/N`` (again after each replug) and ``printer emulator: control
PATH`` when ready; receipts land in ``--out`` as PNG and JSON. Stops on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from hardware.printer.emulator.server import PrinterEmulator
from hardware.printer.settings import BAUD_RATES


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m hardware.printer.emulator", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="folder for the receipts (PNG and JSON)")
    parser.add_argument("--paper", type=int, choices=(58, 80), default=80, help="paper width in mm")
    parser.add_argument("--baud", type=int, choices=BAUD_RATES, default=9600, help="line speed (bits per second)")
    parser.add_argument("--link", type=Path, help="keep a symlink to the port here (a stable name)")
    parser.add_argument("--control", type=Path, help="Unix socket for faults (default: OUT/control.sock)")
    return parser.parse_args(argv)


async def serve(options: argparse.Namespace) -> None:
    emulator = PrinterEmulator(options.paper, options.baud, options.out, options.link)
    options.out.mkdir(parents=True, exist_ok=True)
    control_path = options.control or options.out / "control.sock"
    server = await emulator.serve_control(control_path)
    port = emulator.open_line()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(f"printer emulator: port {port}", flush=True)
    if options.link is not None:
        print(f"printer emulator: link {options.link}", flush=True)
    print(f"printer emulator: control {control_path}", flush=True)
    print(f"printer emulator: receipts in {options.out}", flush=True)
    await stop.wait()
    server.close()
    await emulator.close_line()
    await asyncio.to_thread(emulator.finish_receipts)
    control_path.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    options = arguments(argv)
    logging.basicConfig(level=logging.INFO, format="printer emulator: %(message)s", stream=sys.stderr)
    asyncio.run(serve(options))
    return 0


if __name__ == "__main__":
    sys.exit(main())
