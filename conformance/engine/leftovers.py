"""Nothing a run creates survives it: every create is noted the moment its answer arrives.

Scenario code registers its own cleanups, but an interrupt (Ctrl-C, a timeout) can land between
a create's answer and that registration; this listener sees the answer first.
"""

from __future__ import annotations

import time

from conformance.apis import get_api
from conformance.core.exchange import Exchange
from conformance.core.target_client import TargetClient, TargetError, WriteRefused
from conformance.engine.created_resources import created_resource_path


class LeftoverTracker:
    """A TargetClient listener that remembers created resources until they are deleted."""

    def __init__(self, api: str) -> None:
        self.api = api
        self.alive: list[str] = []

    def __call__(self, exchange: Exchange) -> None:
        created = created_resource_path(self.api, exchange)
        if created and created not in self.alive:
            self.alive.append(created)
        if exchange.request.method == "DELETE" and (
            200 <= exchange.response.status < 300 or exchange.response.status == 404
        ):
            path = exchange.request.path.split("?", 1)[0].rstrip("/")
            if path in self.alive:
                self.alive.remove(path)

    def remove_all(
        self, client: TargetClient, *, phase: str = "cleanup", settle_timeout: float = 60.0
    ) -> list[str]:
        """Delete what is still alive; returns what could not be deleted. Runs as cleanup:
        after a stop signal or the deadline, only for the grace period (see `stopping`)."""
        failed: list[str] = []
        with client.cleanup_window():
            for path in list(self.alive):
                try:
                    if not remove_resource(
                        client, self.api, path, phase=phase, settle_timeout=settle_timeout
                    ):
                        failed.append(path)
                except (TargetError, WriteRefused):
                    failed.append(path)
        return failed


def remove_resource(
    client: TargetClient,
    api: str,
    path: str,
    *,
    phase: str,
    settle_timeout: float = 60.0,
    known_active: bool = False,
) -> bool:
    """DELETE `path` (gone already counts as deleted). A resource the API will not delete
    while active (its `ResourceShape.deactivation`; `known_active`: a listing said so) is
    deactivated first and waited for."""
    if not known_active and _deleted(client, path, phase):
        return True
    deactivation = get_api(api).resource.deactivation
    if deactivation is None:
        return False
    client.send(deactivation.method, f"{path}{deactivation.path_suffix}", phase=phase)
    deadline = time.monotonic() + settle_timeout
    while time.monotonic() < deadline:
        try:
            answer = client.send("GET", path, phase=phase).response.json()
            status = answer.get(deactivation.status_member)
        except (ValueError, AttributeError):
            break
        if status not in deactivation.settling:
            break
        time.sleep(1.0)
    return _deleted(client, path, phase)


# A 429 to a cleanup DELETE (another client on the account spent the budget) is retried: the
# client waits as the answer's headers say before each send, so this is a few seconds at most.
CLEANUP_RETRIES_ON_429 = 5


def _deleted(client: TargetClient, path: str, phase: str) -> bool:
    for attempt in range(CLEANUP_RETRIES_ON_429 + 1):
        status = client.send("DELETE", path, phase=phase).response.status
        if status != 429:
            break
        if attempt < CLEANUP_RETRIES_ON_429:
            time.sleep(min(0.5 * 2**attempt, 8.0))  # when the 429 named no moment to wait for
    return 200 <= status < 300 or status == 404
