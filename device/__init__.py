"""What every screen device has, kiosk or signage: presence on the bus, health probes, the Qt/asyncio
runner, the clock and connection light, the translation catalogue and the shared settings sections.

``kiosk`` and ``signage`` both build on this package and never import each other.
"""
