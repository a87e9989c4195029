"""``python -m demo.child DEMO_PID MODULE [ARGS…]``: run ``python -m MODULE`` as a child that dies with the demo.

On Linux the kernel sends the child SIGTERM the moment the demo process ends, however it ends (SIGKILL
included), through ``PR_SET_PDEATHSIG``; the program then shuts down as on any SIGTERM. Asking from inside
the child, after the fork, avoids a ``preexec_fn`` (unsafe in a process with threads) and works for every
program the same way.
"""

from __future__ import annotations

import ctypes
import os
import runpy
import signal
import sys

PR_SET_PDEATHSIG = 1
ORPHANED_EXIT_STATUS = 70


def die_with_parent(parent_pid: int) -> bool:
    """Ask for SIGTERM when the parent ends; False if the parent has already gone (before we could ask)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    return os.getppid() == parent_pid


def main() -> int:
    parent_pid, module, *args = sys.argv[1:]
    if not die_with_parent(int(parent_pid)):
        return ORPHANED_EXIT_STATUS
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
