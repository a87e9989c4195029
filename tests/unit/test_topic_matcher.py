"""The link's subscription matcher, built once per pattern, says what paho's own ``topic_matches_sub`` says
for every pattern and topic (MQTT 3.1.1, 4.7: ``+``, ``#``, and ``$`` topics shielded from wildcards)."""

from __future__ import annotations

import paho.mqtt.client as mqtt
from hypothesis import given, settings
from hypothesis import strategies as st

from bus.link import topic_matcher

LEVEL = st.sampled_from(["a", "b", "", "$x", "a.b", "(", "device"])
TOPIC = st.lists(LEVEL, min_size=1, max_size=5).map("/".join)
PATTERN = st.builds(
    lambda levels, tail: "/".join([*levels, *tail]),
    st.lists(st.sampled_from(["a", "b", "", "+", "$x", "(", "device"]), min_size=0, max_size=4),
    st.sampled_from([[], ["#"]]),
).filter(bool)


@settings(deadline=None)
@given(PATTERN, TOPIC)
def test_the_matcher_agrees_with_paho(pattern: str, topic: str) -> None:
    assert topic_matcher(pattern)(topic) == mqtt.topic_matches_sub(pattern, topic), (pattern, topic)


def test_the_patterns_central_subscribes() -> None:
    status = topic_matcher("airport/HAK/device/+/status")
    assert status("airport/HAK/device/kiosk-1/status")
    assert not status("airport/HAK/device/kiosk-1/status/x")
    assert not status("airport/HAK/device/a/b/status")
    assert not status("airport/PEK/device/kiosk-1/status")
    everything = topic_matcher("airport/HAK/#")
    assert everything("airport/HAK") and everything("airport/HAK/queue")
    assert not everything("airport/HAKX/queue")
    assert not topic_matcher("#")("$SYS/broker/uptime")
    assert topic_matcher("airport/HAK/queue")("airport/HAK/queue")
