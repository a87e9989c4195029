"""Two ejabberd nodes clustered on loopback, each an MQTT broker (``mod_mqtt``): a real distributed broker.

Debian's ``ejabberd`` package. Each node is its own Erlang VM (``beam.smp``, started straight through ``erl`` so
that the process this module holds is the VM and a SIGKILL kills the node), with its own node name, MQTT port,
Mnesia spool and log in a temporary directory, and an ``epmd`` of the cluster's own on a free port (so no
``epmd -daemon`` outlives the test). The second node joins the first with ``ejabberd_ctl join_cluster``, as
``ejabberdctl`` does. mod_mqtt takes only clients that sign in, so one user is registered (in Mnesia, which the
cluster shares). As root the VMs run as the package's ``ejabberd`` user.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.peers.net import free_port, wait_for_port

ERL = shutil.which("erl") or "/usr/bin/erl"
EPMD = shutil.which("epmd") or "/usr/bin/epmd"
EJABBERD_LIBS = "/usr/lib/x86_64-linux-gnu"  # where Debian puts ejabberd's Erlang applications (as ejabberdctl)
USER, PASSWORD = "bus", "bus-secret"
HOST = "localhost"
CTL_TIMEOUT_S = 60.0
START_TIMEOUT_S = 60.0
PORT_ATTEMPTS = 3

_CONFIG = """\
hosts: ["{host}"]
loglevel: warning
auth_method: [internal]
listen:
  - port: {port}
    ip: "127.0.0.1"
    module: mod_mqtt
acl:
  loopback:
    ip: 127.0.0.0/8
modules:
  mod_mqtt:
    access_publish:
      "#": [{{allow: all}}]
    access_subscribe:
      "#": [{{allow: all}}]
"""


@dataclass
class EjabberdNode:
    name: str
    port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def node(self) -> str:
        return f"{self.name}@{HOST}"

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: the node dies with no goodbye to its clients or to the other node."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def log_text(self) -> str:
        path = self.workdir / "ejabberd.log"
        return path.read_text(errors="replace") if path.exists() else ""


@dataclass
class EjabberdCluster:
    """``nodes`` ejabberd nodes in one cluster; :meth:`start`, then :meth:`stop` (always)."""

    size: int = 2
    nodes: list[EjabberdNode] = field(default_factory=list)
    workdir: Path | None = None
    cookie: str = field(default_factory=lambda: secrets.token_hex(16))
    epmd_port: int = 0
    epmd: subprocess.Popen[bytes] | None = None

    @property
    def username(self) -> str:
        return f"{USER}@{HOST}"

    @property
    def password(self) -> str:
        return PASSWORD

    def start(self) -> EjabberdCluster:
        """Start every node and join them; on any failure, stop what was started before raising."""
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> EjabberdCluster:
        # not pytest's tmp_path: the ejabberd user must be able to reach it, and pytest's is root's alone
        self.workdir = Path(tempfile.mkdtemp(prefix="ejabberd-cluster-"))
        self.workdir.chmod(0o755)
        self.epmd_port = free_port()
        self.epmd = self._popen([EPMD, "-port", str(self.epmd_port), "-address", "127.0.0.1"], self.workdir / "epmd")
        wait_for_port(self.epmd_port, alive=lambda: self.epmd is not None and self.epmd.poll() is None)
        tag = secrets.token_hex(3)  # node names are machine-wide (one epmd per port, but logs and ctl use them)
        for index in range(self.size):
            node = EjabberdNode(f"broker{index + 1}-{tag}", 0, self.workdir / f"node{index + 1}")
            self.nodes.append(node)
            self._start_node(node)
        for node in self.nodes:
            self._wait_started(node)
        for node in self.nodes[1:]:
            self.ctl(node, "join_cluster", self.nodes[0].node)
        self.ctl(self.nodes[0], "register", USER, HOST, PASSWORD)
        return self

    def _start_node(self, node: EjabberdNode) -> None:
        spool = node.workdir / "spool"
        spool.mkdir(parents=True)
        config = node.workdir / "ejabberd.yml"
        command = [ERL, "-sname", node.node, "-setcookie", self.cookie, "-noinput", "-noshell"]
        command += ["-kernel", "inet_dist_use_interface", "{127,0,0,1}", "-mnesia", "dir", f'"{spool}"']
        command += ["-s", "ejabberd"]
        env = {"EJABBERD_CONFIG_PATH": str(config), "EJABBERD_LOG_PATH": str(node.workdir / "ejabberd.log")}
        for _attempt in range(PORT_ATTEMPTS):
            node.port = free_port()
            config.write_text(_CONFIG.format(host=HOST, port=node.port))
            self._own(node.workdir)
            node.process = self._popen(command, node.workdir / "erl", env)
            try:
                wait_for_port(node.port, timeout_s=60, alive=node.alive)
                return
            except RuntimeError:
                output = (node.workdir / "erl.out").read_text(errors="replace")
                if "eaddrinuse" not in output:
                    raise RuntimeError(f"ejabberd node {node.node} did not start:\n{output[-3000:]}") from None
                # another program took the free port in between (an Erlang node's own distribution port, in
                # the runs that met it): a fresh port, a fresh node
                _end(node.process)
        raise RuntimeError(f"ejabberd node {node.node}: no free port in {PORT_ATTEMPTS} attempts")

    def _wait_started(self, node: EjabberdNode) -> None:
        """Until ``node`` answers ``status`` as started: its MQTT port opens before its control interface does,
        and a busy machine takes seconds more (ejabberdctl's own start waits the same way)."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            run = self._ctl_run(node, "status")
            if run.returncode == 0:
                return
            if time.monotonic() > deadline or not node.alive():
                output = (run.stdout + run.stderr).decode(errors="replace")
                raise RuntimeError(f"ejabberd node {node.node} not started: {output}\n{node.log_text()[-2000:]}")
            time.sleep(0.2)  # each try is itself a short-lived Erlang VM: poll, but not in a tight loop

    def ctl(self, node: EjabberdNode, *command: str) -> str:
        """An ``ejabberdctl`` command run against ``node``; its output, or a failure that shows it."""
        run = self._ctl_run(node, *command)
        output = (run.stdout + run.stderr).decode(errors="replace")
        if run.returncode != 0:
            raise RuntimeError(f"ejabberdctl {' '.join(command)} on {node.node} failed ({run.returncode}): {output}")
        return output

    def _ctl_run(self, node: EjabberdNode, *command: str) -> subprocess.CompletedProcess[bytes]:
        assert self.workdir is not None
        name = f"ctl-{secrets.token_hex(3)}@{HOST}"
        argv = [ERL, "-sname", name, "-setcookie", self.cookie, "-hidden", "-noinput", "-noshell"]
        argv += ["-s", "ejabberd_ctl", "-extra", node.node, *command]
        return subprocess.run(
            argv,
            env=self._env({}),
            user=self._user(),
            cwd=self.workdir,
            capture_output=True,
            timeout=CTL_TIMEOUT_S,
            check=False,
        )

    def stop(self) -> None:
        for node in reversed(self.nodes):
            _end(node.process)
        _end(self.epmd)
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)

    # --- processes ----------------------------------------------------------------------------------------

    def _popen(
        self, argv: list[str], log_stem: Path, extra_env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        log_stem.parent.mkdir(parents=True, exist_ok=True)
        with log_stem.with_suffix(".out").open("wb") as log:
            self._own(log_stem.with_suffix(".out"))
            return subprocess.Popen(
                argv,
                env=self._env(extra_env or {}),
                user=self._user(),
                cwd=log_stem.parent,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def _env(self, extra: dict[str, str]) -> dict[str, str]:
        assert self.workdir is not None
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.workdir),  # erl writes nothing there with -setcookie, but wants a HOME
            "ERL_EPMD_PORT": str(self.epmd_port),
            "ERL_LIBS": EJABBERD_LIBS,
            "ERL_CRASH_DUMP_BYTES": "0",
            **extra,
        }

    @staticmethod
    def _user() -> str | None:
        """As root, the package's own user (ejabberd's files are its); else whoever runs the tests."""
        return "ejabberd" if os.geteuid() == 0 else None

    def _own(self, path: Path) -> None:
        user = self._user()
        if user is None:
            return
        entry = pwd.getpwnam(user)
        for item in [path, *(path.rglob("*") if path.is_dir() else [])]:
            os.chown(item, entry.pw_uid, entry.pw_gid)


def _end(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
