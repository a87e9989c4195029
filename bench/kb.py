"""Knowledge-base search per keystroke, at the server, against a plain substring scan of the same articles.

``python -m bench.kb [--articles N] [--seed S] [--json PATH] [--quick]``

Generates ``--articles`` articles (default 5,000) of airport answers in Chinese and English (titles, tags,
bodies of 60-200 characters, some with a web address), adds them through :class:`KnowledgeBase` to a SQLite
store in a temporary directory, then types every prefix of a set of queries (English words, Chinese, pinyin
in full and by initials) and times each search:

- **index, cold**: ``KnowledgeBase.search`` with the index's per-term cache emptied before every query (the
  worst case: nothing typed before helps);
- **index, as typed**: the same, the cache kept as it is while an agent types;
- **HTTP endpoint**: ``GET /api/kb/search?q=`` of central's web app on loopback, signed in as an agent, from
  request to decoded JSON (client and server share one process and event loop, so this is an upper bound);
- **baseline: substring scan**: every article's text, lower-cased once beforehand, scanned for every query
  word with ``in`` (it cannot match pinyin, so it finds less; it is the plain way to search this many).

Also: the time to add the articles (terms and pinyin computed once each) and to open the index again from
the store (a restart of central). Goal: p99 ≤ 20 ms per keystroke at the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestServer

import central.accounts
from bench.report import percentile, table, yes
from bus.topics import Topics
from central.accounts import AgentAccounts
from central.fleet import FleetState
from central.kb import KnowledgeBase, SqliteArticleStore
from central.kb.article import draft
from central.kb.terms import normalise
from central.switchboard import MemoryCallStore, Switchboard, SwitchboardSettings
from central.web.agent import AgentDesk
from central.web.app import create_app
from central.web.live import FleetFeed

GOAL_P99_MS = 20.0
PASSWORD = "bench password"
QUERIES = (
    "beijing",
    "bj",
    "xingli jicun",
    "luggage",
    "wheelchair",
    "行李寄存",
    "dengjikou",
    "djk",
    "taxi rank",
    "lost property",
    "shanghai hongqiao",
    "chongqing",
    "充电",
    "baby room",
)
PLACES = (
    ("北京", "Beijing"),
    ("上海虹桥", "Shanghai Hongqiao"),
    ("重庆", "Chongqing"),
    ("广州", "Guangzhou"),
    ("深圳", "Shenzhen"),
    ("三亚", "Sanya"),
    ("成都", "Chengdu"),
    ("西安", "Xi'an"),
    ("杭州", "Hangzhou"),
    ("海口", "Haikou"),
)
TOPICS = (
    ("行李寄存", "left luggage", "luggage"),
    ("登机口变更", "gate change", "gate"),
    ("轮椅服务", "wheelchair assistance", "wheelchair"),
    ("失物招领", "lost property", "lost"),
    ("出租车乘车点", "taxi rank", "taxi"),
    ("地铁换乘", "metro connection", "metro"),
    ("手机充电", "phone charging", "charging"),
    ("母婴室", "baby room", "family"),
    ("吸烟室", "smoking room", "smoking"),
    ("航班延误", "flight delay", "delay"),
    ("中转服务", "transfer desk", "transfer"),
    ("值机柜台", "check-in counter", "check-in"),
    ("安检须知", "security rules", "security"),
    ("贵宾休息室", "business lounge", "lounge"),
    ("退票改签", "refunds and changes", "ticket"),
)
FILLER_ZH = "请您前往一号航站楼二层东侧，工作人员会为您办理。如需帮助请拨打服务热线或联系附近的地勤人员。"
FILLER_EN = tuple(
    [
        "Please",
        "go",
        "to",
        "the",
        "second",
        "floor",
        "of",
        "terminal",
        "one",
        "east",
        "side",
        "where",
        "our",
        "staff",
        "will",
        "help",
        "you",
        "call",
        "the",
        "service",
        "line",
        "or",
        "ask",
        "the",
        "ground",
        "staff",
        "nearby",
        "if",
        "you",
        "need",
        "anything",
        "else",
    ]
)


def generate(count: int, rng: random.Random) -> list[dict[str, object]]:
    articles = []
    for number in range(count):
        place_zh, place_en = rng.choice(PLACES)
        topic_zh, topic_en, tag = rng.choice(TOPICS)
        start = rng.randrange(len(FILLER_ZH) - 20)
        body_zh = (FILLER_ZH * 3)[start : start + rng.randint(40, 120)]
        body_en = " ".join(rng.choice(FILLER_EN) for _ in range(rng.randint(12, 40)))
        articles.append(
            {
                "title_zh": f"{place_zh}航班的{topic_zh}（{number}）",
                "title_en": f"{topic_en.capitalize()} for {place_en} flights ({number})",
                "body_zh": f"{topic_zh}：{body_zh}",
                "body_en": f"{topic_en}: {body_en}",
                "tags": [tag, topic_zh[:2]],
                "url": f"https://hak.example/help/{number}" if rng.random() < 0.3 else "",
            }
        )
    return articles


def keystrokes(queries: tuple[str, ...]) -> list[str]:
    """Every prefix of every query, as an agent types it (one search per keystroke)."""
    return [query[:end] for query in queries for end in range(1, len(query) + 1) if query[:end].strip()]


class SubstringScan:
    """The baseline: each article's text lower-cased once; a query's every word looked for with ``in``."""

    def __init__(self, articles: list[dict[str, object]]) -> None:
        self.rows = []
        for number, article in enumerate(articles):
            title = normalise(f"{article['title_zh']} {article['title_en']}")
            rest = normalise(f"{' '.join(article['tags'])} {article['body_zh']} {article['body_en']}")  # type: ignore[arg-type]
            self.rows.append((number, title, rest))

    def search(self, query: str, limit: int = 10) -> list[int]:
        words = normalise(query).split()
        if not words:
            return []
        found = [
            (0 if all(word in title for word in words) else 1, number)
            for number, title, rest in self.rows
            if all(word in title or word in rest for word in words)
        ]
        return [number for _, number in sorted(found)[:limit]]


def timed(search: Callable[[str], object], typed: list[str], before: Callable[[], None] = lambda: None) -> list[float]:
    times = []
    for text in typed:
        before()
        start = time.perf_counter()
        search(text)
        times.append((time.perf_counter() - start) * 1000)
    return times


async def endpoint_times(kb: KnowledgeBase, state_dir: Path, typed: list[str]) -> list[float]:
    central.accounts.SCRYPT_N = 2**8  # the sign-in is not what is measured
    accounts = AgentAccounts(state_dir / "agents.sqlite3")
    accounts.add("chen", "Chen Li", ["zh"], PASSWORD)
    switchboard = Switchboard(SwitchboardSettings(), time.time, MemoryCallStore())
    fleet = FleetFeed(FleetState(Topics("airport/HAK"), 120.0), "HAK", lambda: "online")
    server = TestServer(create_app(fleet, AgentDesk(switchboard, accounts), kb=kb))
    await server.start_server()
    times = []
    try:
        async with ClientSession(base_url=str(server.make_url("/")), cookie_jar=CookieJar(unsafe=True)) as browser:
            signed_in = await browser.post("/api/agent/login", json={"agent_id": "chen", "password": PASSWORD})
            assert signed_in.status == 200, signed_in.status
            for text in typed:
                start = time.perf_counter()
                async with browser.get("/api/kb/search", params={"q": text}) as answer:
                    assert answer.status == 200, answer.status
                    await answer.json()
                times.append((time.perf_counter() - start) * 1000)
    finally:
        await server.close()
        accounts.close()
    return times


def row(name: str, times: list[float]) -> list[str]:
    return [
        name,
        f"{statistics.median(times):.2f}",
        f"{percentile(times, 0.95):.2f}",
        f"{percentile(times, 0.99):.2f}",
        f"{max(times):.2f}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--quick", action="store_true", help="300 articles and three queries: checks it runs")
    args = parser.parse_args(argv)
    count = 300 if args.quick else args.articles
    queries = QUERIES[:3] if args.quick else QUERIES
    articles = generate(count, random.Random(args.seed))
    typed = keystrokes(queries)

    with tempfile.TemporaryDirectory(prefix="bench-kb-") as directory:
        state_dir = Path(directory)
        store = SqliteArticleStore(state_dir / "kb.sqlite3")
        kb = KnowledgeBase(store)
        start = time.perf_counter()
        for fields in articles:
            kb.add(draft(**fields), "bench")
        add_s = time.perf_counter() - start
        store.close()

        store = SqliteArticleStore(state_dir / "kb.sqlite3")
        start = time.perf_counter()
        kb = KnowledgeBase(store)
        open_s = time.perf_counter() - start
        found = sum(1 for text in typed if kb.search(text))

        cold = timed(kb.search, typed, before=kb.index.forget_recent_terms)
        kb.index.forget_recent_terms()
        as_typed = timed(kb.search, typed)
        http = asyncio.run(endpoint_times(kb, state_dir, typed))
        scan = SubstringScan(articles)
        baseline = timed(scan.search, typed)
        scan_found = sum(1 for text in typed if scan.search(text))
        store.close()

    print(f"{count} articles, {len(queries)} queries, {len(typed)} keystrokes (every prefix); ms per search")
    print()
    print(
        table(
            [
                ["search", "median", "p95", "p99", "max"],
                row("index, cold", cold),
                row("index, as typed", as_typed),
                row("HTTP endpoint", http),
                row("baseline: substring scan", baseline),
            ]
        )
    )
    print()
    ratio = statistics.median(baseline) / statistics.median(cold)
    print(f"median: the index (cold) is {ratio:.1f}x faster than the scan")
    print(f"keystrokes with an answer: index {found} of {len(typed)}, scan {scan_found} (no pinyin)")
    print(f"adding {count} articles (terms and pinyin once each): {add_s:.2f} s; opening them again: {open_s:.2f} s")
    worst = max(percentile(cold, 0.99), percentile(http, 0.99))
    goal = f"goal: p99 ≤ {GOAL_P99_MS:.0f} ms per keystroke at the server (index cold and HTTP)"
    print(f"{goal}: {yes(worst <= GOAL_P99_MS)}")
    if args.json:
        figures = {"cold": cold, "as_typed": as_typed, "http": http, "baseline": baseline}
        args.json.write_text(json.dumps({"articles": count, "typed": typed, "ms": figures, "add_s": add_s}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
