"""Load a program's settings from a TOML file plus prefixed environment variables.

Precedence: environment over file over defaults. ``KIOSK_BUS__URL`` sets ``[bus] url`` for the
program whose prefix is ``KIOSK_``. Unknown keys are warned about by name; a wrong type or value
raises :class:`SettingsError`, whose message names the key and the expected form.
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

log = logging.getLogger(__name__)

SettingsT = TypeVar("SettingsT", bound=BaseModel)

SETTINGS_ERROR_EXIT_STATUS = 2


class SettingsError(Exception):
    """The configuration cannot be used; the message says which key and what it must be."""


def load_settings(
    model: type[SettingsT],
    env_prefix: str,
    path: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> SettingsT:
    """Build ``model`` from the TOML file at ``path`` (optional) and ``environ`` (default os.environ)."""
    environ = os.environ if environ is None else environ
    data: dict[str, Any] = _read_toml(path) if path is not None else {}
    for key_path, value in _env_overrides(env_prefix, environ):
        _set_path(data, key_path, value)
    for unknown in _unknown_keys(model, data):
        log.warning("unknown setting %s ignored (check its spelling and section)", unknown)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise SettingsError(_describe(model, exc, path)) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise SettingsError(f"config file {path} does not exist") from None
    except IsADirectoryError:
        raise SettingsError(f"config file {path} is a directory, expected a TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"config file {path} is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise SettingsError(f"config file {path} is not UTF-8 text") from None


def _env_overrides(prefix: str, environ: Mapping[str, str]) -> list[tuple[list[str], str]]:
    overrides = []
    for name, value in environ.items():
        if name.upper().startswith(prefix.upper()) and len(name) > len(prefix):
            parts = name[len(prefix) :].lower().split("__")
            if all(parts):
                overrides.append((parts, value))
    return sorted(overrides)


def _set_path(data: dict[str, Any], key_path: list[str], value: str) -> None:
    node = data
    for part in key_path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[key_path[-1]] = value


def _unknown_keys(model: type[BaseModel], data: Mapping[str, Any], prefix: str = "") -> list[str]:
    unknown = []
    for key, value in data.items():
        field = model.model_fields.get(key)
        dotted = f"{prefix}{key}"
        if field is None:
            unknown.append(dotted)
            continue
        sub = field.annotation
        if isinstance(value, Mapping) and isinstance(sub, type) and issubclass(sub, BaseModel):
            unknown.extend(_unknown_keys(sub, value, prefix=f"{dotted}."))
    return unknown


def _describe(model: type[BaseModel], exc: ValidationError, path: Path | None) -> str:
    where = f" in {path}" if path is not None else ""
    lines = [f"invalid settings{where}:"]
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        got = error.get("input")
        shown = "" if isinstance(got, Mapping) or _looks_secret(key) else f" (got {got!r})"
        expected = _field_description(model, error["loc"])
        hint = f"; expected: {expected}" if expected else ""
        lines.append(f"  {key}: {error['msg']}{shown}{hint}")
    return "\n".join(lines)


def _field_description(model: type[BaseModel], loc: tuple[int | str, ...]) -> str | None:
    current: Any = model
    description = None
    for part in loc:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            break
        field = current.model_fields.get(str(part))
        if field is None:
            break
        description = field.description
        current = field.annotation
    return description


def _looks_secret(key: str) -> bool:
    return any(word in key.lower() for word in ("password", "secret", "token"))
