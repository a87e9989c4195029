"""Finding and stopping the whole process tree of a program a benchmark started.

Programs are started with ``start_new_session=True`` so that their process group id is their own pid:
children that outlive a crashed parent are re-parented to init and drop out of the tree, but keep the
group, so they can still be found and stopped.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass

import psutil

KILL_WAIT_S = 5.0


def tree_processes(pid: int) -> list[psutil.Process]:
    """The process ``pid`` and all its descendants still running; empty if ``pid`` is gone."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_cpu_ms(pid: int) -> float:
    """User + system CPU time used so far by ``pid`` and its descendants (reaped children included), in ms.

    Unlike the wall clock, this hardly changes when other work shares the machine.
    """
    total = 0.0
    for proc in tree_processes(pid):
        with contextlib.suppress(psutil.Error):
            times = proc.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
    return total * 1000


def _group_processes(pgid: int) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.Error, ProcessLookupError):
            if os.getpgid(proc.pid) == pgid:
                found.append(proc)
    return found


@dataclass(frozen=True)
class Stopped:
    """How a program ended when asked to."""

    exit_code: int
    stop_ms: float
    """From SIGTERM to the main process's exit (including a kill after ``grace_s``)."""
    killed: int
    """Processes that needed SIGKILL: the main one after ``grace_s``, or stragglers of its tree."""


def stop_tree(proc: subprocess.Popen[bytes], grace_s: float) -> Stopped:
    """SIGTERM the program, give it ``grace_s`` to exit, then make sure nothing of its tree or group is left."""
    # Taken before the signal: once the parent exits its children no longer show up under it.
    family = {p.pid: p for p in tree_processes(proc.pid) + _group_processes(proc.pid)}
    killed = 0
    asked = time.monotonic()
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            killed += 1
    stop_ms = (time.monotonic() - asked) * 1000
    family.pop(proc.pid, None)
    family.update({p.pid: p for p in _group_processes(proc.pid) if p.pid != proc.pid})
    # psutil.Process checks the start time before signalling, so a recycled pid is never hit.
    for child in family.values():
        with contextlib.suppress(psutil.NoSuchProcess):
            child.terminate()
    _, alive = psutil.wait_procs(list(family.values()), timeout=KILL_WAIT_S)
    for child in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
            killed += 1
    psutil.wait_procs(alive, timeout=KILL_WAIT_S)
    return Stopped(exit_code=proc.returncode, stop_ms=stop_ms, killed=killed)
