"""``central``: the services behind the devices, run in the airport's data centre.

The fleet state (every device's presence and health) and the facilities page; the call switchboard
(``central.switchboard``, pure logic) with its bus and browser adapters (``central.calls``,
``central.web``); the agent console and the supervisor wallboard. Start it with
``central --config central.toml``; manage agent accounts with ``central agent …``. Nothing here does
I/O at import time, and nothing here imports Qt.
"""
