"""Devices behind small interfaces, each with a simulator: printer, camera, code scanner, health probes."""
