"""The kiosk's thermal ticket printer: ESC/POS bytes, real-time status, the serial port, and an emulator.

Pure modules (``commands``, ``status``, ``profile``) build and parse bytes; ``port`` is the only one that
touches the serial line.
"""
