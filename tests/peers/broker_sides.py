"""Where devices and ``central`` meet the bus: one Mosquitto for both, or a two-node ejabberd cluster with the
devices on node A and central on node B (messages cross the cluster), for tests run on each.

``central_running_on`` is :func:`tests.peers.central.central_running` for either: the real ``central`` signed in
to its side's broker, returned once its retained birth is there (its subscriptions are then live).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bus.topics import TopicKind
from tests.peers.central import AGENTS, TOPICS, WAIT_S, CentralUnderTest, add_agents, central_env
from tests.peers.ejabberd import EjabberdCluster
from tests.peers.mosquitto import Mosquitto
from tests.peers.programs import running
from tests.peers.retained import read_retained_at
from tests.peers.staff import add_staff

RESUBSCRIBE_S = 0.5


@dataclass(frozen=True)
class BrokerSides:
    device_url: str
    central_url: str
    username: str | None = None
    password: str | None = None

    @classmethod
    def one_mosquitto(cls, broker: Mosquitto) -> BrokerSides:
        return cls(broker.url, broker.url)

    @classmethod
    def across(cls, cluster: EjabberdCluster) -> BrokerSides:
        """Devices on the first node, central on the second."""
        node_a, node_b = cluster.nodes[:2]
        return cls(node_a.url, node_b.url, cluster.username, cluster.password)

    def device_bus(self) -> dict[str, str]:
        """A device's ``[bus]`` settings beyond its url: the sign-in, if the broker wants one."""
        if self.username is None or self.password is None:
            return {}
        return {"username": self.username, "password": self.password}


def wait_retained_on_central_side(sides: BrokerSides, topic: str, timeout_s: float = WAIT_S) -> dict[str, Any]:
    """The JSON body retained on ``topic`` at central's broker once it says ``online: true``."""
    return read_retained_at(
        sides.central_url,
        topic,
        lambda body: body.get("online") is True,
        timeout_s,
        "test-central-side",
        sides.username,
        sides.password,
    )


@contextmanager
def central_running_on(
    sides: BrokerSides, state_dir: Path, agents: tuple[tuple[str, str, str], ...] = AGENTS, **calls: object
) -> Iterator[CentralUnderTest]:
    """The real ``central`` on central's side of ``sides``, with the given agent accounts; stopped afterwards."""
    env = central_env(Mosquitto(state_dir / "unused"), state_dir, **calls)  # the same settings, then the broker's
    env["CENTRAL_BUS__URL"] = sides.central_url
    if sides.username is not None and sides.password is not None:
        env["CENTRAL_BUS__USERNAME"] = sides.username
        env["CENTRAL_BUS__PASSWORD"] = sides.password
    add_agents(env, agents)
    add_staff(state_dir, env)
    with running("central", env) as program:
        line = program.wait_for_line("central: agent console at ")
        base_url = line.split(" at ", 1)[1].strip().removesuffix("/agent")
        program.wait_for_line("central: wallboard at ")
        wait_retained_on_central_side(sides, TOPICS.site(TopicKind.CENTRAL_STATUS))
        yield CentralUnderTest(program, base_url, env)
