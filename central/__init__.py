"""``central``: the services behind the devices, run in the airport's data centre.

This slice holds the fleet state (every device's presence and health, built from the retained
``device/+/status`` and ``device/+/health`` messages) and the facilities page that shows it live.
Start it with ``central --config central.toml``; nothing here does I/O at import time, and nothing
here imports Qt.
"""
