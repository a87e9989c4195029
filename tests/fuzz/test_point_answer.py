"""A posted info point's details, as central answers the kiosk's ``GET /api/points/{id}`` after a QR scan:
whatever the body, the kiosk gets the point or PointUnavailable (the scan screen says the point is not
available), never another exception. A small HTTP server in this process (a thread) plays central."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.scanning.points import PointInfo, PointUnavailable, fetch_point
from tests.fuzz.support import corpus, fuzz_settings, json_values, mutated

pytestmark = pytest.mark.fuzz

POINT = "t1-a12"
SEEDS = [
    json.dumps(
        {
            "id": POINT,
            "name": {"zh": "A12 问询处", "en": "A12 information"},
            "terminal": "T1",
            "area": "Hall A",
            "floor": "2F",
            "services": [{"zh": "轮椅", "en": "Wheelchairs"}],
            "map": "https://airport.example/map/a12",
        }
    ).encode()
]
JSON_BYTES = b'{}[]":,0123456789.-etrufnl\\'


class _Central(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(type(self).body)))
        self.end_headers()
        self.wfile.write(type(self).body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def central() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Central)
    thread = threading.Thread(target=server.serve_forever, name="fake-central", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def point_or_unavailable(central: str, body: bytes) -> None:
    _Central.body = body
    try:
        point = fetch_point(central, POINT, timeout_s=5)
    except PointUnavailable as unavailable:
        assert str(unavailable)
        return
    assert isinstance(point, PointInfo) and point.id == POINT


def test_the_seed_is_a_point(central):
    point_or_unavailable(central, SEEDS[0])
    _Central.body = SEEDS[0]
    assert fetch_point(central, POINT).name.en == "A12 information"


@fuzz_settings(100)
@given(
    body=mutated(SEEDS, alphabet=JSON_BYTES)
    | json_values.map(lambda value: json.dumps(value).encode())
    | st.integers(1, 3000).map(lambda depth: b"[" * depth)  # past Python's JSON decoder
)
def test_any_answer_is_the_point_or_unavailable(central, body):
    point_or_unavailable(central, body)


def test_inputs_that_once_failed_are_the_point_or_unavailable(central):
    for name, body in corpus("point_answer"):
        try:
            point_or_unavailable(central, body)
        except Exception as error:
            raise AssertionError(f"corpus/point_answer/{name}: {error!r}") from error
