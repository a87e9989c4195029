"""The touchscreen kiosk app: passenger screens, the app controller, settings."""

__version__ = "0.1.0"
