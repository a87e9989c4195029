"""The kiosk's Qt screens. The only part of the kiosk that imports PySide6."""
