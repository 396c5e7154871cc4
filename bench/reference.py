"""Requests per second of the reference servers next to a bare Starlette endpoint.

Each server runs in its own process under uvicorn (the second core); one client process sends
requests over a keep-alive httpx connection for a fixed time. Prints one line per measurement
and the ratio to the bare endpoint. Loopback only.

    .venv/bin/python bench/reference.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
AKAMAI = "/datastream-config-api/v1/log"
# The embedded reference checks only the form of an unsigned EdgeGrid header.
EDGEGRID_FORM = (
    "EG1-HMAC-SHA256 client_token=akab-bench;access_token=akab-bench;"
    "timestamp=20261124T00:00:00+0000;nonce=bench;signature=bench"
)


@contextlib.contextmanager
def serving(command: list[str], *, quiet: bool = False) -> Iterator[str]:
    """Start a `dsconform serve` command; yield its URL; stop it. `quiet` drops its stderr."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL if quiet else None,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("LISTENING "):
            raise RuntimeError(f"server did not start: {line!r}")
        yield line.split(" ", 1)[1]
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def bare_server() -> Iterator[str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "bare_starlette.py"), str(port)], cwd=ROOT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{url}/items/1", timeout=0.5)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def measure(seconds: float, step: Callable[[], None]) -> float:
    """Requests per second of `step` (one request each) over `seconds`."""
    count = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        step()
        count += 1
    return count / (time.perf_counter() - started)


def reference_command(api: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "conformance.cli",
        "serve",
        "--api",
        api,
        "--port",
        "0",
        "--rate-limit",
        "1000000/1s",  # no limit to speak of: the bench measures the servers, not the bucket
    ]


def akamai_figures(seconds: float) -> dict[str, float]:
    with (
        serving(reference_command("akamai")) as url,
        httpx.Client(base_url=url, headers={"Authorization": EDGEGRID_FORM}) as client,
    ):
        products = client.get(f"{AKAMAI}/products").json()
        product = products[0]
        group = product["groups"][0]
        props = client.get(
            f"{AKAMAI}/properties/product/{product['productId']}/group/{group['groupId']}"
        ).json()
        body = {
            "streamName": "bench",
            "activateNow": False,
            "streamType": "RAW_LOGS",
            "productId": product["productId"],
            "templateName": "EDGE_LOGS",
            "groupId": group["groupId"],
            "contractId": group["contractIds"][0],
            "propertyIds": [props[0]["propertyId"]],
            "datasetFieldIds": [1002, 1005],
            "config": {"delimiter": "SPACE", "frequency": {"timeInSec": 30}},
            "connectors": [
                {
                    "connectorType": "SPLUNK",
                    "connectorName": "s",
                    "url": "https://splunk.example.com/services/collector/raw",
                    "eventCollectorToken": "bench-token",
                }
            ],
        }
        created = client.post(f"{AKAMAI}/streams", json=body)
        stream_id = created.json()["streamVersionKey"]["streamId"]
        read = measure(seconds, lambda: _ok(client.get(f"{AKAMAI}/streams/{stream_id}")))
        client.delete(f"{AKAMAI}/streams/{stream_id}")

        def create_then_delete() -> None:
            response = _ok(client.post(f"{AKAMAI}/streams", json=body))
            new_id = response.json()["streamVersionKey"]["streamId"]
            _ok(client.delete(f"{AKAMAI}/streams/{new_id}"))

        cycle = measure(seconds, create_then_delete)
    return {"akamai stream read": read, "akamai stream create+delete": cycle * 2}


def azion_figures(seconds: float) -> dict[str, float]:
    headers = {
        "Authorization": "Token dsconform-edit-token",
        "Accept": "application/json; version=3",
    }
    with (
        serving(reference_command("azion")) as url,
        httpx.Client(base_url=url, headers=headers) as client,
    ):
        templates = client.get("/data_streaming/templates").json()["results"]
        body = {
            "name": "bench",
            "template_id": templates[0]["id"],
            "domain_ids": [1],
            "endpoint": {
                "endpoint_type": "kafka",
                "kafka_topic": "t",
                "bootstrap_servers": "k:9092",
            },
        }
        item = _ok(client.post("/data_streaming/streamings", json=body)).json()["results"]
        read = measure(seconds, lambda: _ok(client.get(f"/data_streaming/streamings/{item['id']}")))

        def create_then_delete() -> None:
            new = _ok(client.post("/data_streaming/streamings", json=body)).json()["results"]
            _ok(client.delete(f"/data_streaming/streamings/{new['id']}"))

        cycle = measure(seconds, create_then_delete)
    return {"azion streaming read": read, "azion streaming create+delete": cycle * 2}


def bare_figures(seconds: float) -> dict[str, float]:
    with bare_server() as url, httpx.Client(base_url=url) as client:
        read = measure(seconds, lambda: _ok(client.get("/items/1")))
        create = measure(seconds, lambda: _ok(client.post("/items", json={"name": "x"})))
    return {"bare GET": read, "bare POST": create}


def _ok(response: httpx.Response) -> httpx.Response:
    if response.status_code >= 300:
        raise RuntimeError(
            f"{response.request.method} {response.request.url}: "
            f"{response.status_code} {response.text[:200]}"
        )
    return response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    figures = {
        **bare_figures(args.seconds),
        **akamai_figures(args.seconds),
        **azion_figures(args.seconds),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    for name, rate in figures.items():
        baseline = (
            figures["bare GET"] if ("read" in name or "GET" in name) else figures["bare POST"]
        )
        print(f"{name:32s} {rate:8.0f} req/s   {rate / baseline:5.2f}x of bare Starlette")


if __name__ == "__main__":
    main()
