"""The browser side of ``central``: an aiohttp application serving the facilities page and its API."""

from central.web.app import create_app
from central.web.live import FleetFeed

__all__ = ["FleetFeed", "create_app"]
