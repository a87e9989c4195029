"""Settings that come as JSON text (from an environment variable), read with one clear error."""

from __future__ import annotations

import json
from typing import Any


def json_setting(text: str, expected: str) -> Any:
    """``text`` parsed as JSON, or a ValueError saying ``expected`` (e.g. "a JSON array of ICE servers").

    Deep nesting ends Python's JSON parser with a RecursionError, which is no ValueError: pydantic would
    let it end the program with a traceback instead of naming the setting."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"must be {expected}: {exc}") from None
    except RecursionError:
        raise ValueError(f"must be {expected}, not nested this deep") from None
