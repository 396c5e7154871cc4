"""The Azion seed (markdown) as printed.

`##`/`###` sections with `#### **METHOD** */path*` headings, `**Request Example**` /
`**Response Example**` markers and fenced blocks holding a request head (`METHOD /path` and
header lines), a status line (`HTTP/2 200`) or a body. It has no object samples outside its
operation sections.
"""

from __future__ import annotations

import re
from typing import Any

from conformance.cassettes.seed_documents import (
    METHODS,
    DocumentedExchange,
    SeedDocument,
    read_json_block,
)

_SECTION = re.compile(r"^#{2,3} (.+?)(?:\s*\{#[^}]*\})?\s*$")
_HEADING = re.compile(rf"^#### \*\*({METHODS})\*\* \*([^*\s]+)\*\s*$")
_FENCE = re.compile(r"^(```|~~~)")
_REQUEST_LINE = re.compile(rf"^({METHODS}) (\S+)$")
_HEADER = re.compile(r"^([A-Za-z][A-Za-z0-9-]*): (.*)$")
_STATUS = re.compile(r"^HTTP/[\d.]+ (\d{3})\b")
_ROLE = re.compile(r"^\*\*(Request|Response) Example\*\*\s*$")


def _fences(lines: list[str], start: int, end: int) -> list[tuple[int, list[str], str]]:
    """(index of the first content line, content lines, role) of each fenced block."""
    found: list[tuple[int, list[str], str]] = []
    role = ""
    index = start
    while index < end:
        marker = _ROLE.match(lines[index])
        if marker:
            role = marker.group(1)
        fence = _FENCE.match(lines[index])
        if fence:
            close = index + 1
            while close < end and not lines[close].startswith(fence.group(1)):
                close += 1
            found.append((index + 1, lines[index + 1 : close], role))
            index = close
        index += 1
    return found


def _exchange(
    seed: str, title: str, heading_line: int, lines: list[str], start: int, end: int
) -> DocumentedExchange | None:
    headings = tuple(
        (m.group(1), m.group(2)) for line in lines[start:end] if (m := _HEADING.match(line))
    )
    fields: dict[str, Any] = {}
    for first, content, role in _fences(lines, start, end):
        offset = next((i for i, line in enumerate(content) if line.strip()), None)
        if offset is None:
            continue
        head = content[offset].strip()
        request_line = _REQUEST_LINE.match(head)
        status = _STATUS.match(head)
        if request_line:
            fields["method"], fields["sample_path"] = request_line.group(1), request_line.group(2)
            fields["sample_line"] = first + offset + 1
            fields["request_headers"] = tuple(
                (m.group(1), m.group(2).strip())
                for line in content[offset + 1 :]
                if (m := _HEADER.match(line.strip()))
            )
        elif status:
            fields["status"] = int(status.group(1))
        elif head[:1] in ("{", "["):
            column = content[offset].index(head[0])
            text = "\n".join([content[offset][column:], *content[offset + 1 :]])
            key = "request_body" if role == "Request" else "response_body"
            fields[key] = read_json_block(text, first + offset + 1)
    if not fields or not headings:
        return None
    method = str(fields.pop("method", headings[0][0]))
    path = next((p for m, p in headings if m == method), headings[0][1])
    return DocumentedExchange(seed, title, heading_line, method, path, headings=headings, **fields)


def parse_seed(text: str, seed: str = "azion-data-streaming-api-v3.md") -> SeedDocument:
    """One exchange per `##`/`###` section that holds fenced examples."""
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if _SECTION.match(line)]
    exchanges = []
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(lines)
        match = _SECTION.match(lines[start])
        assert match is not None
        exchange = _exchange(seed, match.group(1), start + 1, lines, start + 1, end)
        if exchange is not None:
            exchanges.append(exchange)
    return SeedDocument(seed, tuple(exchanges))
