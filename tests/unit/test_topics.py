"""Topic names of the v1 contract."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bus.topics import DEVICE_KINDS, TopicKind, TopicMatch, Topics

topics = Topics("airport/HAK")


def test_device_topics_follow_the_contract():
    assert topics.device("kiosk-1", TopicKind.DEVICE_STATUS) == "airport/HAK/device/kiosk-1/status"
    assert topics.device("kiosk-1", TopicKind.COMMAND_REPLY) == "airport/HAK/device/kiosk-1/cmd/reply"
    assert topics.device("kiosk-1", TopicKind.CALL_IN) == "airport/HAK/device/kiosk-1/call/in"
    assert topics.every_device(TopicKind.DEVICE_HEALTH) == "airport/HAK/device/+/health"
    assert topics.site(TopicKind.QUEUE) == "airport/HAK/queue"
    assert topics.site(TopicKind.FLIGHTS_DEP) == "airport/HAK/flights/dep"
    assert topics.site(TopicKind.CENTRAL_STATUS) == "airport/HAK/central/status"


@pytest.mark.parametrize("bad", ["Kiosk", "k/1", "+", "#", "", "a" * 65, "kiosk 1"])
def test_device_ids_outside_the_contract_are_refused(bad):
    with pytest.raises(ValueError, match="device id"):
        topics.device(bad, TopicKind.DEVICE_STATUS)


@pytest.mark.parametrize("kind", DEVICE_KINDS)
def test_every_device_topic_parses_back(kind):
    assert topics.parse(topics.device("gate-12-sign", kind)) == TopicMatch(kind, "gate-12-sign")


def test_foreign_topics_are_not_ours():
    assert topics.parse("airport/PEK/device/k/status") is None
    assert topics.parse("airport/HAK/device/K!/status") is None
    assert topics.parse("airport/HAK/device/k/status/extra") is None
    assert topics.parse("airport/HAK/queue") == TopicMatch(TopicKind.QUEUE)


@given(st.text(max_size=80))
def test_parse_never_raises(topic):
    topics.parse(topic)
