"""Settings shared by every program: loading a TOML file plus prefixed environment variables."""

from config.loader import SettingsError, load_settings
from config.sections import AppSection, BusSection

__all__ = ["AppSection", "BusSection", "SettingsError", "load_settings"]
