"""The client's listeners (order, scope) and its send rules, fixed at construction."""

from __future__ import annotations

import dataclasses

import pytest

from conformance.core.exchange import Exchange
from conformance.core.send_rules import SendRules
from conformance.core.target_client import TargetClient, WriteRefused
from tests.support.capture import capture_server


def test_listeners_hear_in_the_order_added_and_a_first_one_ahead_of_all() -> None:
    heard: list[str] = []
    with capture_server() as served:
        client = TargetClient(served.url)
        client.listen(lambda exchange: heard.append("checks"))
        client.listen(lambda exchange: heard.append("tally"))
        with (
            client.listening(lambda exchange: heard.append("history")),
            client.listening(lambda exchange: heard.append("tracker"), first=True),
        ):
            client.send("GET", "/a", phase="test")
        client.send("GET", "/b", phase="test")
        client.close()
    assert heard == ["tracker", "checks", "tally", "history", "checks", "tally"]


def test_a_block_listener_leaves_even_when_the_block_fails() -> None:
    heard: list[Exchange] = []
    with capture_server() as served:
        client = TargetClient(served.url)
        with pytest.raises(RuntimeError), client.listening(heard.append, first=True):
            client.send("GET", "/a", phase="test")
            raise RuntimeError("the phase broke")
        client.send("GET", "/b", phase="test")
        client.close()
    assert [exchange.request.path for exchange in heard] == ["/a"]


def test_an_adopted_exchange_is_counted_and_heard() -> None:
    heard: list[Exchange] = []
    with capture_server() as served:
        worker = TargetClient(served.url)
        exchange = worker.send("GET", "/from-a-worker", phase="property")
        worker.close()
        parent = TargetClient(served.url)
        parent.listen(heard.append)
        parent.adopt(exchange)
        parent.close()
        assert len(served.requests) == 1  # adopting sends nothing
    assert heard == [exchange]
    assert parent.requests_made == 1


def test_the_rules_are_fixed_when_the_client_is_built() -> None:
    """A read-only client refuses writes before any connection; its rules cannot be
    loosened afterwards (they are a frozen value, not attributes to flip)."""
    with capture_server() as served:
        client = TargetClient(served.url, rules=SendRules(read_only=True))
        with pytest.raises(WriteRefused):
            client.send("POST", "/streams", json={}, phase="test")
        assert served.requests == []
        with pytest.raises(dataclasses.FrozenInstanceError):
            client.rules.read_only = False  # type: ignore[misc]
        with pytest.raises(AttributeError):
            client.read_only = False  # type: ignore[misc]
        client.close()
