"""TLS for tests: a throwaway CA (made with the `openssl` binary) and a loopback TLS terminator
that forwards plain bytes to a test server behind it."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.misbehaving import serving

# A name never resolved: a CONNECT proxy (`connect_proxy`) tunnels it to a loopback server.
TUNNELLED_HOST = "dsconform-target.invalid"


@dataclass(frozen=True)
class Pki:
    """A CA, a server certificate for 127.0.0.1/localhost and a client certificate it signed."""

    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    client_combined: Path  # the client certificate and its key in one file
    other_ca: Path  # a CA that signed none of them


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _ca(directory: Path, name: str) -> None:
    _openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2",
        "-subj", f"/CN=dsconform test {name}",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=directory,
    )  # fmt: skip


def _leaf(directory: Path, name: str, extensions: str) -> None:
    (directory / f"{name}.ext").write_text(
        f"{extensions}\nbasicConstraints=CA:FALSE\nsubjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid\n",
        encoding="ascii",
    )
    _openssl(
        "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}",
        cwd=directory,
    )  # fmt: skip
    _openssl(
        "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext",
        cwd=directory,
    )  # fmt: skip


def make_pki(directory: Path) -> Pki:
    """Generate the CA and certificates under `directory` (skips when openssl is missing)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl binary is needed to make test certificates")
    directory.mkdir(parents=True, exist_ok=True)
    _ca(directory, "ca")
    _ca(directory, "other-ca")
    _leaf(
        directory,
        "server",
        f"subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:{TUNNELLED_HOST}\n"
        "extendedKeyUsage=serverAuth",
    )
    _leaf(directory, "client", "extendedKeyUsage=clientAuth")
    combined = directory / "client-combined.pem"
    combined.write_bytes(
        (directory / "client.pem").read_bytes() + (directory / "client.key").read_bytes()
    )
    return Pki(
        ca=directory / "ca.pem",
        server_cert=directory / "server.pem",
        server_key=directory / "server.key",
        client_cert=directory / "client.pem",
        client_key=directory / "client.key",
        client_combined=combined,
        other_ca=directory / "other-ca.pem",
    )


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with suppress(OSError):
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    for sock in (source, sink):
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _forward(raw: socket.socket, context: ssl.SSLContext, upstream: tuple[str, int]) -> None:
    try:
        raw.settimeout(10)
        tls = context.wrap_socket(raw, server_side=True)
        tls.settimeout(None)
    except (OSError, ssl.SSLError):
        raw.close()
        return
    try:
        plain = socket.create_connection(upstream, timeout=10)
        plain.settimeout(None)
    except OSError:
        tls.close()
        return
    _splice(tls, plain)


def _splice(one: socket.socket, other: socket.socket) -> None:
    """Bytes both ways until either side ends, then both closed."""
    back = threading.Thread(target=_pipe, args=(other, one), daemon=True)
    back.start()
    _pipe(one, other)
    back.join(timeout=30)
    one.close()
    other.close()


@contextmanager
def tls_terminator(
    upstream_url: str, pki: Pki, *, require_client_cert: bool = False
) -> Iterator[str]:
    """Serve TLS on 127.0.0.1 (a free port) with `pki`'s server certificate and forward each
    connection's plain bytes to `upstream_url` (an http://127.0.0.1:PORT server); yields the
    https:// base URL."""
    host, _, port = upstream_url.removeprefix("http://").rstrip("/").partition(":")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.server_cert, pki.server_key)
    if require_client_cert:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(cafile=pki.ca)
    with serving(lambda raw: _forward(raw, context, (host, int(port)))) as served:
        yield served.url.replace("http://", "https://")


@dataclass
class Tunnels:
    """What a CONNECT proxy was asked for."""

    url: str
    requests: list[str]


@contextmanager
def connect_proxy(upstream_url: str) -> Iterator[Tunnels]:
    """An HTTPS proxy on 127.0.0.1: every `CONNECT host:port` is tunnelled to `upstream_url`
    (a loopback server), whatever host it names; yields its URL and the CONNECT lines."""
    host, _, port = upstream_url.split("://", 1)[1].rstrip("/").partition(":")
    requests: list[str] = []

    def tunnel(client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = client.recv(4096)
            if not chunk:
                client.close()
                return
            head += chunk
        requests.append(head.split(b"\r\n", 1)[0].decode("latin-1"))
        upstream = socket.create_connection((host, int(port)), timeout=10)
        upstream.settimeout(None)
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        _splice(client, upstream)

    with serving(tunnel) as served:
        yield Tunnels(served.url, requests)
