"""Password hashes in the form Mosquitto 2 reads from its ``password_file``: ``$7$iterations$salt$hash``
(PBKDF2-HMAC-SHA512, base64 salt and digest), the same as ``mosquitto_passwd`` writes.

The iteration count is in the string, so the broker follows whatever we choose. 10,000 (Mosquitto's own
tool uses 101) makes guessing an operator-chosen password from a stolen file 100x dearer, at about 5 ms
of broker CPU per connect: a reconnect storm of 2,000 devices costs the broker about 10 s of one core.
Generated device passwords are 24 random characters, for which the count hardly matters.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

ITERATIONS = 10_000
SALT_BYTES = 12
HASH_BYTES = 64
GENERATED_PASSWORD_BYTES = 18  # 24 characters of URL-safe base64, 144 bits


def hash_for_mosquitto(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """The ``$7$`` string for ``password`` with a new random salt (or the given one, for tests)."""
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, iterations, HASH_BYTES)
    return f"$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def matches(password: str, stored: str) -> bool:
    """Whether ``password`` is the one behind a ``$7$`` string; False for anything malformed."""
    try:
        _, scheme, iterations_text, salt_b64, digest_b64 = stored.split("$")
        iterations = int(iterations_text)
        salt = base64.b64decode(salt_b64, validate=True)
        expected = base64.b64decode(digest_b64, validate=True)
    except ValueError:
        return False
    if scheme != "7" or not 0 < iterations <= 10 * ITERATIONS or not expected:
        return False
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, iterations, len(expected))
    return hmac.compare_digest(digest, expected)


def generate_password() -> str:
    """A new device password: random, 24 characters, safe in a TOML string and a shell argument."""
    return secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)
