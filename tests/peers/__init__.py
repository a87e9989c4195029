"""Real peers and the helpers every test shares; tests import from here, never from other test modules.

- ``mosquitto``: a broker on a free loopback port; ``retained``: what it keeps (MQTT retain flag checked).
- ``programs``: the project's programs as processes; ``device_process``: a device presence to SIGKILL.
- ``central``: central with agent accounts, and the central and kiosk environments.
- ``bus_device``: a device's call topics driven by a test, and an observer of the site's bus.
- ``console``: an agent over the console's HTTP and WebSocket, or signing in on the page.
- ``chromium``: the system's headless Chromium under Playwright (sync and asyncio); ``slow`` tests only.
- ``inbox``: bus messages collected and waited for; ``wait``: waiting on a condition, never a fixed sleep.
- ``net``, ``tls``: free ports, waiting for a listener, a throwaway CA.
- ``tcp_proxy``: a TCP proxy the test controls (cut, restore, delay, throttle, drop), between a program and its broker.
"""
