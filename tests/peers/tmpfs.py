"""A tiny RAM file system a test can fill to the last byte and free again: a full disk, for real.

``tiny_disk(dir)`` mounts a tmpfs of ``size_kib`` on ``dir`` and always unmounts it, also when the test
fails; where mounting is not permitted (not root, no ``mount``), the test is skipped with the reason.
:meth:`TinyDisk.fill` writes a filler file until the file system says ENOSPC; :meth:`TinyDisk.free`
deletes it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

FILLER = ".filler"
_CHUNK = 4096


class TinyDisk:
    """A mounted tmpfs: its directory, and a filler that takes every free byte."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.filler = path / FILLER

    def free_bytes(self) -> int:
        found = os.statvfs(self.path)
        return found.f_bavail * found.f_frsize

    def fill(self) -> int:
        """Write the filler until the disk is full (the last byte too); how many bytes it took."""
        written = 0
        with self.filler.open("ab", buffering=0) as filler:
            for size in (_CHUNK * 16, _CHUNK, 512, 1):  # big steps, then byte by byte to the very end
                block = b"\0" * size
                while True:
                    try:
                        written += filler.write(block) or 0
                    except OSError as exc:
                        if exc.errno != errno.ENOSPC:
                            raise
                        break
        return written

    def free(self) -> None:
        """Give the space back."""
        self.filler.unlink(missing_ok=True)


@contextlib.contextmanager
def tiny_disk(path: Path, size_kib: int = 1024) -> Iterator[TinyDisk]:
    """A tmpfs of ``size_kib`` KiB mounted on ``path`` (made if missing) for the block; unmounted after."""
    mount = shutil.which("mount")
    if mount is None:
        pytest.skip("no mount program: cannot make a small disk to fill")
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root: cannot make a small disk to fill")
    path.mkdir(parents=True, exist_ok=True)
    made = subprocess.run(
        [mount, "-t", "tmpfs", "-o", f"size={size_kib}k,mode=0755", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {made.stderr.strip()}")
    try:
        yield TinyDisk(path)
    finally:
        # lazy: a store the test failed to close must not leave the mount behind
        subprocess.run(["umount", "--lazy", str(path)], capture_output=True, check=False)
