"""Load a program's settings from a TOML file plus prefixed environment variables.

Precedence: environment over file over defaults. ``KIOSK_BUS__URL`` sets ``[bus] url`` for the
program whose prefix is ``KIOSK_``. Unknown keys are warned about by name; a wrong type or value
raises :class:`SettingsError`, with one line per problem that names the key, where its value came from
(the file and section, or the environment variable) and, in words, what it must be.
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
    """The configuration cannot be used; ``problems`` holds one line per wrong value (the message joins them)."""

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def load_settings(
    model: type[SettingsT],
    env_prefix: str,
    path: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> SettingsT:
    """Build ``model`` from the TOML file at ``path`` (optional) and ``environ`` (default os.environ)."""
    environ = os.environ if environ is None else environ
    data: dict[str, Any] = _read_toml(path) if path is not None else {}
    origins = _Origins(path)
    for name, key_path, value in _env_overrides(env_prefix, environ):
        _set_path(data, key_path, value)
        origins.from_environment[tuple(key_path)] = name
    for unknown in _unknown_keys(model, data):
        log.warning("unknown setting %s ignored (check its spelling and section)", unknown)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise SettingsError(*_describe(model, exc, origins)) from None


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


def _env_overrides(prefix: str, environ: Mapping[str, str]) -> list[tuple[str, list[str], str]]:
    """(variable name, key path, value) of every variable with the prefix, in a stable order."""
    overrides = []
    for name, value in environ.items():
        if name.upper().startswith(prefix.upper()) and len(name) > len(prefix):
            parts = name[len(prefix) :].lower().split("__")
            if all(parts):
                overrides.append((name, parts, value))
    return sorted(overrides, key=lambda override: (override[1], override[0]))


class _Origins:
    """Where each value came from, so that an error can send the reader to the right line or variable."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.from_environment: dict[tuple[str, ...], str] = {}

    def of(self, loc: tuple[int | str, ...]) -> str:
        keys = tuple(str(part) for part in loc)
        for length in range(len(keys), 0, -1):  # a variable may have set a whole section's parent
            name = self.from_environment.get(keys[:length])
            if name is not None:
                return f"from environment variable {name}"
        if self.path is not None and len(keys) > 1:
            return f"in {self.path}, section [{'.'.join(keys[:-1])}] key {keys[-1]}"
        if self.path is not None:
            return f"in {self.path}"
        return "(its default)"


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


# pydantic's own wording for these quotes the regular expression or the type's internals; say it in words
_PLAIN_WORDS = {
    "string_pattern_mismatch": "not in the expected form",
    "string_type": "should be text",
    "int_parsing": "should be a whole number",
    "float_parsing": "should be a number",
    "bool_parsing": "should be true or false",
    "model_type": "should be a section of keys, not a single value",
    "model_attributes_type": "should be a section of keys, not a single value",
}


def _describe(model: type[BaseModel], exc: ValidationError, origins: _Origins) -> list[str]:
    """One line per error: the key, where its value came from, what is wrong, and what it must be."""
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        got = error.get("input")
        shown = "" if isinstance(got, Mapping) or _looks_secret(key) else f" (got {_redacted(got)!r})"
        problem = _PLAIN_WORDS.get(error["type"]) or _plain(error["msg"])
        expected = _field_description(model, error["loc"])
        hint = f"; it must be: {expected}" if expected else ""
        lines.append(f"bad setting {key} {origins.of(error['loc'])}: {problem}{shown}{hint}")
    return lines


def _plain(message: str) -> str:
    """pydantic's message without its "Input"/"Value error," opening: "should be greater than 0"."""
    for opening in ("Input ", "Value error, "):
        message = message.removeprefix(opening)
    return message


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


# a webhook URL may carry a password or a secret path (chat services' hooks), so it is never shown either
SECRET_WORDS = ("password", "secret", "token", "credential", "passphrase", "webhook")
REDACTED = "(hidden)"


def _looks_secret(key: str) -> bool:
    return any(word in key.lower() for word in SECRET_WORDS)


def _redacted(value: Any) -> Any:
    """``value`` with every secret-looking key's value hidden, however deep in lists and tables."""
    if isinstance(value, Mapping):
        return {k: REDACTED if _looks_secret(str(k)) else _redacted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    if isinstance(value, str) and _looks_secret(value):
        return REDACTED  # raw text of a table or list (JSON from the environment) that names a secret
    return value
