"""One of each slip, with realistic contents: for the printer's tests, its benchmark and trying it by hand."""

from __future__ import annotations

from kiosk.printing.slips import AgentSlip, FlightSlip, QueueTicket, Slip, TestPage, WifiVoucher

SAMPLE_SLIPS: dict[str, Slip] = {
    "wifi_voucher": WifiVoucher(ssid="Airport-Free-WiFi", code="K7PX2QMA9R"),
    "flight": FlightSlip(
        flight="HU7181",
        destination_zh="北京首都",
        destination_en="Beijing Capital",
        gate="12",
        boarding_time="14:35",
        url="https://www.example-airport.cn/flight/HU7181",
    ),
    "agent": AgentSlip(
        text="请到3号服务台领取您的行李。Please collect your bag at service desk 3, next to exit B.",
        qr="https://www.example-airport.cn/bag/4711",
    ),
    "queue_ticket": QueueTicket(number="A042", service_zh="行李查询", service_en="Baggage enquiries"),
    "test_page": TestPage(firmware="EMU 1.0 (ESC/POS, GB18030)"),
}
"""Keyed by template name (the golden files' names in tests/unit/printer_slips)."""
