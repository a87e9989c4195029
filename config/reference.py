"""The configuration reference (docs/configuration.md), written from the settings models themselves.

``python -m config.reference > docs/configuration.md``; a test keeps the file in step with the code.
"""

from __future__ import annotations

import json
from importlib import metadata
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

HEADER = """# Configuration

Every program takes `--config PATH` (a TOML file) and runs on the defaults below without one. Every
setting can also be given as an environment variable: the program's prefix, then the section and the key
joined by `__`, e.g. `KIOSK_BUS__URL=mqtts://broker.hak.example:8883`. The environment wins over the file.
Unknown keys are warned about by name; a wrong type or value stops the program with exit status 2 and one
message naming the key and the expected form. Passwords are never printed.

This file is generated from the settings models: `python -m config.reference > docs/configuration.md`.
"""


PROGRAMS_GROUP = "airport_terminal.settings"
PROGRAM_ORDER = ("kiosk", "signage", "central")


def _programs() -> list[tuple[str, str, type[BaseModel]]]:
    """Each program's settings model, found through the package's entry points (so this lowest layer
    imports none of the programs): name, environment prefix, model."""
    found: dict[str, type[BaseModel]] = {}
    for entry in metadata.entry_points(group=PROGRAMS_GROUP):
        model = entry.load()
        if isinstance(model, type) and issubclass(model, BaseModel):
            found[entry.name] = model
    ordered = [name for name in PROGRAM_ORDER if name in found] + sorted(set(found) - set(PROGRAM_ORDER))
    return [(name, f"{name.upper()}_", found[name]) for name in ordered]


def _default(field: FieldInfo) -> str:
    value: Any = field.get_default(call_default_factory=True)
    if value is None or value == "":
        return "(none)"
    if isinstance(value, BaseModel):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return json.dumps(list(value))
    return f"`{value}`"


def render() -> str:
    out = [HEADER]
    for program, prefix, model in _programs():
        out.append(f"## `{program}` (environment prefix `{prefix}`)\n")
        for section, section_field in model.model_fields.items():
            section_model = section_field.annotation
            assert isinstance(section_model, type) and issubclass(section_model, BaseModel)
            out.append(f"### `[{section}]`\n\n{(section_model.__doc__ or '').strip()}\n")
            out.append("| key | default | meaning | environment variable |\n| --- | --- | --- | --- |")
            for key, field in section_model.model_fields.items():
                env = f"{prefix}{section.upper()}__{key.upper()}"
                meaning = (field.description or "").replace("|", "\\|")
                out.append(f"| `{key}` | {_default(field)} | {meaning} | `{env}` |")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
