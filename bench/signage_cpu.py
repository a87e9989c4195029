"""The signage player beside headless Chromium showing the same board as a web page: CPU share and PSS.

``python -m bench.signage_cpu [--seconds S] [--warmup S] [--flights N] [--json PATH] [--quick]``

Both run at once, for the same stretch of time, on the same machine: the ``signage`` program (offscreen,
1920x1080, a 20-row departures board turning a page every 10 s and its language every 5 s, a clock, the
arrivals after the departures' pages; its board from the disk cache, the broker unreachable), and
headless Chromium (the way Anthias and Xibo show a board) with a page that draws the same board with the
same timings in HTML, CSS and JavaScript. After ``--warmup`` seconds, the CPU time of each process tree
is read, and again after ``--seconds``: the difference over the wall time is its CPU share (1.0 = one
core busy). PSS is read at the end (see bench/procmem.py). Goal: the player ≤ 0.5x Chromium's CPU and
≤ 0.3x its PSS.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.procmem import settled_memory
from bench.proctree import stop_tree, tree_cpu_ms
from bench.report import table, yes
from bench.startup import CHROMIUM, compile_project
from bus.messages.flights import Direction
from device.flights.store import FlightStore
from device.i18n import Catalogue
from signage.rows import STATUS_COLOURS, clock, remark, via_and_city, zone
from signage.sample import TZ, sample_board

CPU_GOAL = 0.5
PSS_GOAL = 0.3
ROWS = 20
PAGE_S = 10
LANGUAGE_S = 5
READY_TIMEOUT_S = 60.0
STOP_GRACE_S = 10.0
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--window-size=1920,1080",
)


class _Words:
    """Catalogue words in one fixed language, for writing the web page's two versions of each row."""

    def __init__(self, catalogue: Catalogue, language: str) -> None:
        self._catalogue, self._language = catalogue, language

    @property
    def language(self) -> str:
        return self._language

    def __call__(self, key: str, **params: object) -> str:
        return self._catalogue.text(self._language, key, **params)


def board_page(boards: dict[Direction, list[dict[str, str]]], catalogue: Catalogue) -> str:
    """The web page: the same rows, columns, colours, page flips and language turns as the player."""
    heads = {
        lang: {
            "dep": catalogue.text(lang, "board.departures"),
            "arr": catalogue.text(lang, "board.arrivals"),
            "cols": [catalogue.text(lang, f"col.{c}") for c in ("time", "flight", "to", "gate", "remark")],
            "cols_arr": [catalogue.text(lang, f"col.{c}") for c in ("time", "flight", "from", "belt", "remark")],
        }
        for lang in ("zh-CN", "en")
    }
    data = json.dumps({"boards": {d.value: rows for d, rows in boards.items()}, "heads": heads}, ensure_ascii=False)
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape("Flight board")}</title>
<style>
body {{ margin: 0; background: #0d2a4f; color: #fff; font-family: "Noto Sans CJK SC", sans-serif;
  width: 1920px; height: 1080px; overflow: hidden; }}
header {{ display: flex; justify-content: space-between; padding: 16px 32px; }}
h1 {{ font-size: 56px; margin: 0; }} #clock {{ font-size: 56px; }}
table {{ width: calc(100% - 64px); margin: 0 32px; border-collapse: collapse; font-size: 40px; table-layout: fixed; }}
th {{ background: #08203d; color: #c9d7ea; font-size: 26px; text-align: left; padding: 4px 8px; }}
td {{ padding: 0 8px; height: 36px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
tr:nth-child(even) td {{ background: #123764; }}
footer {{ position: absolute; bottom: 0; left: 32px; right: 32px; background: #08203d; font-size: 30px;
  color: #c9d7ea; padding: 4px 12px; }}
</style></head>
<body><header><h1 id="title"></h1><div id="clock"></div></header>
<table><thead><tr id="head"></tr></thead><tbody id="rows"></tbody></table>
<footer id="ticker">T1 Departures, Hall B</footer>
<script>
const DATA = {data};
const ROWS = {ROWS}, MOST_PAGES = 4;
let board = "dep", page = 0, lang = "zh-CN";
function pages() {{ return Math.max(1, Math.min(MOST_PAGES, Math.ceil(DATA.boards[board].length / ROWS))); }}
function draw() {{
  const heads = DATA.heads[lang], zh = lang === "zh-CN";
  document.getElementById("title").textContent = heads[board] + "  " + (page + 1) + "/" + pages();
  const head = document.getElementById("head"); head.textContent = "";
  for (const name of (board === "dep" ? heads.cols : heads.cols_arr)) {{
    const th = document.createElement("th"); th.textContent = name; head.appendChild(th);
  }}
  const body = document.getElementById("rows"); body.textContent = "";
  for (const row of DATA.boards[board].slice(page * ROWS, page * ROWS + ROWS)) {{
    const tr = document.createElement("tr");
    for (const text of [row.time, row.flight, zh ? row.city_zh : row.city_en, row.place,
                        zh ? row.remark_zh : row.remark_en]) {{
      const td = document.createElement("td"); td.textContent = text; tr.appendChild(td);
    }}
    tr.lastChild.style.color = row.colour;
    body.appendChild(tr);
  }}
}}
function tick() {{
  const now = new Date();
  document.getElementById("clock").textContent =
    now.toLocaleTimeString("en-GB", {{ timeZone: "{TZ}", hour: "2-digit", minute: "2-digit" }});
}}
setInterval(tick, 1000);
setInterval(() => {{ lang = lang === "zh-CN" ? "en" : "zh-CN"; draw(); }}, {LANGUAGE_S * 1000});
setInterval(() => {{
  page += 1;
  if (page >= pages()) {{ page = 0; board = board === "dep" ? "arr" : "dep"; }}
  draw();
}}, {PAGE_S * 1000});
tick(); draw();
</script></body></html>
"""


def page_rows(board: list, catalogue: Catalogue) -> list[dict[str, str]]:
    where = zone(TZ)
    zh, en = _Words(catalogue, "zh-CN"), _Words(catalogue, "en")
    return [
        {
            "time": clock(f.scheduled, where),
            "flight": f.number,
            "city_zh": via_and_city(f, "zh-CN"),
            "city_en": via_and_city(f, "en"),
            "place": f.gate or f.belt,
            "remark_zh": remark(f, zh, where),
            "remark_en": remark(f, en, where),
            "colour": STATUS_COLOURS[f.status],
        }
        for f in board
    ]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_player(workdir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "SIGNAGE_BUS__URL": f"mqtt://127.0.0.1:{_closed_port()}",
        "SIGNAGE_APP__STATE_DIR": str(workdir / "state"),
        "SIGNAGE_BUS__LOCATION": "T1 Departures, Hall B",
        "SIGNAGE_DISPLAY__FULLSCREEN": "false",
        "SIGNAGE_DISPLAY__WIDTH": "1920",
        "SIGNAGE_DISPLAY__HEIGHT": "1080",
        "SIGNAGE_DISPLAY__ROWS": str(ROWS),
        "SIGNAGE_DISPLAY__PAGE_S": str(PAGE_S),
        "SIGNAGE_DISPLAY__LANGUAGE_PERIOD_S": str(LANGUAGE_S),
    }
    log = (workdir / "signage.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "signage"],
        stdout=subprocess.PIPE,
        stderr=log,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        start_new_session=True,
    )
    log.close()
    assert proc.stdout is not None
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:  # its own line once its window is up
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"signage ended: {(workdir / 'signage.log').read_text()[-2000:]}")
        if b"showing its" in line:
            return proc
    raise RuntimeError("signage did not start in time")


def start_chromium(workdir: Path, page: Path) -> subprocess.Popen[bytes]:
    log = (workdir / "chromium.log").open("wb")
    proc = subprocess.Popen(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={workdir / 'profile'}", page.as_uri()],
        stdin=subprocess.DEVNULL,
        env={**os.environ, "TMPDIR": str(workdir)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    return proc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.signage_cpu", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="the measured stretch (12 page flips)")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds after both are up before measuring")
    parser.add_argument("--flights", type=int, default=60, help="flights per board (60: 3 pages of 20)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--quick", action="store_true", help="a few seconds: does it still run")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.warmup = 6.0, 3.0
    compile_project()  # as an installed player would start: from .pyc files
    catalogue = Catalogue.from_package("signage")
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="bench-signage-") as temporary:
        workdir = Path(temporary)
        store = FlightStore(workdir / "state")
        boards = {}
        for direction in Direction:
            snapshot = sample_board(direction, now, args.flights)
            store.apply_snapshot(snapshot)  # with no loop running, written to the cache at once
            boards[direction] = page_rows(store.flights(direction), catalogue)
        store.close()
        page = workdir / "board.html"
        page.write_text(board_page(boards, catalogue), encoding="utf-8")
        player = start_player(workdir)
        chromium = start_chromium(workdir, page)
        try:
            time.sleep(args.warmup)  # a measuring window, not a synchronisation: both are drawing by now
            for name, proc in (("signage", player), ("chromium", chromium)):
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} ended early with status {proc.returncode}")
            began = time.monotonic()
            cpu_before = {"signage": tree_cpu_ms(player.pid), "chromium": tree_cpu_ms(chromium.pid)}
            time.sleep(args.seconds)
            wall_ms = (time.monotonic() - began) * 1000
            cpu = {
                "signage": tree_cpu_ms(player.pid) - cpu_before["signage"],
                "chromium": tree_cpu_ms(chromium.pid) - cpu_before["chromium"],
            }
            memory = {"signage": settled_memory(player.pid), "chromium": settled_memory(chromium.pid)}
        finally:
            stop_tree(player, STOP_GRACE_S)
            stop_tree(chromium, STOP_GRACE_S)
            if player.stdout is not None:
                player.stdout.close()
    share = {name: value / wall_ms for name, value in cpu.items()}
    mib = {name: m.pss_bytes / 2**20 for name, m in memory.items()}
    print(
        f"Signage player beside headless Chromium: a {ROWS}-row board at 1920x1080, a page every {PAGE_S} s, "
        f"the language every {LANGUAGE_S} s, {args.seconds:g} s measured after {args.warmup:g} s"
    )
    print()
    rows = [["program", "CPU share", "CPU ms", "PSS MiB", "RSS MiB", "processes"]]
    for name in ("signage", "chromium"):
        rows.append(
            [
                name,
                f"{share[name]:.4f}",
                f"{cpu[name]:.0f}",
                f"{mib[name]:.1f}",
                f"{memory[name].rss_bytes / 2**20:.1f}",
                str(memory[name].processes),
            ]
        )
    print(table(rows))
    print()
    cpu_ratio = share["signage"] / share["chromium"] if share["chromium"] else float("inf")
    pss_ratio = mib["signage"] / mib["chromium"] if mib["chromium"] else float("inf")
    print(f"player / chromium: CPU {cpu_ratio:.2f}x, PSS {pss_ratio:.2f}x")
    print(f"goal CPU ≤ {CPU_GOAL:g}x Chromium's: {yes(cpu_ratio <= CPU_GOAL)}")
    print(f"goal PSS ≤ {PSS_GOAL:g}x Chromium's: {yes(pss_ratio <= PSS_GOAL)}")
    if args.json:
        args.json.write_text(json.dumps({"cpu_ms": cpu, "wall_ms": wall_ms, "pss_mib": mib}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
