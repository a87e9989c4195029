"""The touchscreen kiosk app: passenger screens, the app controller, settings."""
