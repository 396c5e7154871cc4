"""The vendors' documents as printed: every request and response sample, where it stands and
whether it is JSON at all.

Nothing here repairs a sample. A JSON block is read with `json.JSONDecoder().raw_decode` from
its first `{` or `[`; a block that does not parse keeps its raw text and says why, because a
sample that is not JSON is itself a finding about the document. `straighten_quotes` is the one
mechanical repair a caller may choose to try, and must label as such.

Two formats, one small parser each:
- Akamai (plain text): an operation section is a title, a `METHOD /datastream-config-api/...`
  line, an optional `Sample: /...` URL, `Content-Type:`, `Object type:`, `Status NNN media` and
  `Request body:` / `Response body:` each followed by a JSON block; the Data section has
  `Sample POST request:` / `Sample GET response:` blocks under object names; the Errors section
  has unlabelled blocks.
- Azion (markdown): `##`/`###` sections with `#### **METHOD** */path*` headings,
  `**Request Example**` / `**Response Example**` markers and fenced blocks holding a request
  head (`METHOD /path` and header lines), a status line (`HTTP/2 200`) or a body.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CURLY_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"'})
_DECODER = json.JSONDecoder()
_METHODS = "GET|POST|PUT|PATCH|DELETE"


@dataclass(frozen=True, slots=True)
class SeedBlock:
    """One JSON sample as the seed prints it."""

    line: int  # 1-based line of its first `{` or `[` in the seed
    text: str  # as printed, from that character on
    value: Any = None  # the parsed value (None when it does not parse)
    parsed: bool = False
    error: str | None = None  # why it is not JSON


@dataclass(frozen=True, slots=True)
class DocumentedExchange:
    """One documented request/response example of an operation section."""

    seed: str
    section: str  # the section's title as printed
    line: int  # line of the endpoint line (Akamai) or the section heading (Azion)
    method: str
    path: str  # the path template as printed (`{?groupId}`, `:id` and all)
    sample_path: str | None = None  # a concrete path the seed gives (Sample: URL, request line)
    sample_line: int | None = None
    request_headers: tuple[tuple[str, str], ...] = ()  # as printed
    request_body: SeedBlock | None = None
    status: int | None = None  # as printed; None when the seed prints none
    media_type: str | None = None  # the response media type, as printed
    response_body: SeedBlock | None = None
    object_type: str | None = None  # Akamai's `Object type:` line
    headings: tuple[tuple[str, str], ...] = ()  # every (method, path) heading of the section


@dataclass(frozen=True, slots=True)
class ObjectSample:
    """A sample outside the operation sections (Akamai's Data and Errors sections)."""

    seed: str
    name: str  # the object (StreamConfiguration, ...) or section (Error responses) it is under
    line: int  # line of its label, or of the block when it has none
    label: str  # "Sample POST request", "Sample GET response", or "" when unlabelled
    body: SeedBlock


@dataclass(frozen=True, slots=True)
class SeedDocument:
    """Everything a seed shows as samples, in document order."""

    seed: str
    exchanges: tuple[DocumentedExchange, ...]
    objects: tuple[ObjectSample, ...] = ()

    @property
    def blocks(self) -> list[SeedBlock]:
        """Every JSON block of the seed, in document order."""
        found = [
            block
            for exchange in self.exchanges
            for block in (exchange.request_body, exchange.response_body)
            if block is not None
        ]
        found += [sample.body for sample in self.objects]
        return sorted(found, key=lambda block: block.line)


def read_json_block(text: str, line: int, *, whole: bool = True) -> SeedBlock:
    """`text` starts at a `{` or `[` on seed line `line`: parse it, or keep it raw and say why.

    With `whole`, text after the value makes the block not JSON (a fenced block is all one
    sample); without it, the block ends with its value, which must end its line."""
    try:
        value, end = _DECODER.raw_decode(text)
    except json.JSONDecodeError as exc:
        return SeedBlock(
            line, text.rstrip(), error=f"{exc.msg} (line {exc.lineno} col {exc.colno})"
        )
    rest = text[end:] if whole else text[end:].split("\n", 1)[0]
    if rest.strip():
        return SeedBlock(
            line, text.rstrip(), error=f"text after the JSON value: {rest.strip()[:40]!r}"
        )
    return SeedBlock(line, text[:end], value, True)


def straighten_quotes(text: str) -> str:
    """The mechanical repair: typographic double quotes (U+201C, U+201D) become `"`."""
    return text.translate(CURLY_QUOTES)


# ------------------------------------------------------------------------------------ Akamai

_AKAMAI_ENDPOINT = re.compile(rf"^({_METHODS}) (/datastream-config-api/\S+)$")
_AKAMAI_SAMPLE_URL = re.compile(r"^Sample: (/\S+)$")
_AKAMAI_CONTENT_TYPE = re.compile(r"^Content-Type: (\S+)$")
_AKAMAI_OBJECT_TYPE = re.compile(r"^Object type: (\w+)$")
_AKAMAI_STATUS = re.compile(r"^Status (\d{3}) (\S+)$")
_AKAMAI_OBJECT_LABEL = re.compile(rf"^(Sample (?:{_METHODS}) (?:request|response)):$")
_AKAMAI_BODY_LABEL = re.compile(r"^(Request|Response) body:$")
_AKAMAI_DATA_HEADING = "Data"
# A block opens with its bracket alone on a line, or with `{"`, `[{`, `["`, `[]` (a table row of
# dynamic variables, `{ %Y }-logs`, is not a block).
_AKAMAI_BLOCK_START = re.compile(r'^(?:[{\[]\s*$|\{"|\[[{"\]])')


def _akamai_block(lines: list[str], start: int) -> tuple[SeedBlock, int]:
    """The block whose `{`/`[` opens line index `start`; and the index after it."""
    text = "\n".join(lines[start:])
    block = read_json_block(text, start + 1, whole=False)
    if block.parsed:
        return block, start + block.text.count("\n") + 1
    # Not JSON: the block runs to its closing bracket at column 0, else to the first blank line.
    closer = "}" if lines[start].startswith("{") else "]"
    end = start + 1
    while end < len(lines) and lines[end].strip() and lines[end] != closer:
        end += 1
    if end < len(lines) and lines[end] == closer:
        end += 1
    raw = "\n".join(lines[start:end])
    return SeedBlock(start + 1, raw, error=block.error), end


def _is_heading(lines: list[str], index: int) -> bool:
    """A short line standing alone between blank lines, without closing punctuation."""
    line = lines[index]
    return (
        bool(line.strip())
        and line == line.strip()
        and ":" not in line
        and not line.endswith((".", ",", ";"))
        and line[0] not in "{}[]\"'"
        and len(line.split()) <= 6
        and (index == 0 or not lines[index - 1].strip())
        and (index + 1 >= len(lines) or not lines[index + 1].strip())
    )


def _heading_before(lines: list[str], index: int) -> str:
    for candidate in range(index - 1, -1, -1):
        if _is_heading(lines, candidate):
            return lines[candidate]
    return ""


def parse_akamai(text: str, seed: str = "akamai-datastream2-config-api-v1.txt") -> SeedDocument:
    """The operation sections, Data-section object samples and Errors-section blocks."""
    lines = text.split("\n")
    exchanges: list[DocumentedExchange] = []
    objects: list[ObjectSample] = []
    current: dict[str, Any] | None = None
    pending: tuple[str, int] | None = None  # a label waiting for its block: (label, line index)

    def close() -> None:
        nonlocal current
        if current is not None:
            exchanges.append(DocumentedExchange(**current))
            current = None

    index = 0
    while index < len(lines):
        line = lines[index]
        endpoint = _AKAMAI_ENDPOINT.match(line)
        if endpoint:
            close()
            current = {
                "seed": seed,
                "section": _heading_before(lines, index),
                "line": index + 1,
                "method": endpoint.group(1),
                "path": endpoint.group(2),
                "headings": ((endpoint.group(1), endpoint.group(2)),),
            }
        elif line == _AKAMAI_DATA_HEADING and _is_heading(lines, index):
            close()
        elif current is not None and (match := _AKAMAI_SAMPLE_URL.match(line)):
            current["sample_path"], current["sample_line"] = match.group(1), index + 1
        elif current is not None and (match := _AKAMAI_CONTENT_TYPE.match(line)):
            current["request_headers"] = (("Content-Type", match.group(1)),)
        elif current is not None and (match := _AKAMAI_OBJECT_TYPE.match(line)):
            current["object_type"] = match.group(1)
        elif current is not None and (match := _AKAMAI_STATUS.match(line)):
            current["status"], current["media_type"] = int(match.group(1)), match.group(2)
        elif (match := _AKAMAI_BODY_LABEL.match(line)) or (
            match := _AKAMAI_OBJECT_LABEL.match(line)
        ):
            pending = (match.group(0).rstrip(":"), index)
        elif _AKAMAI_BLOCK_START.match(line):
            block, after = _akamai_block(lines, index)
            label, label_index = pending or ("", index)
            pending = None
            if current is not None and label == "Request body":
                current["request_body"] = block
            elif current is not None and label == "Response body":
                current["response_body"] = block
            else:
                objects.append(
                    ObjectSample(
                        seed, _heading_before(lines, label_index), label_index + 1, label, block
                    )
                )
            index = after
            continue
        index += 1
    close()
    return SeedDocument(seed, tuple(exchanges), tuple(objects))


# ------------------------------------------------------------------------------------- Azion

_AZION_SECTION = re.compile(r"^#{2,3} (.+?)(?:\s*\{#[^}]*\})?\s*$")
_AZION_HEADING = re.compile(rf"^#### \*\*({_METHODS})\*\* \*([^*\s]+)\*\s*$")
_AZION_FENCE = re.compile(r"^(```|~~~)")
_AZION_REQUEST_LINE = re.compile(rf"^({_METHODS}) (\S+)$")
_AZION_HEADER = re.compile(r"^([A-Za-z][A-Za-z0-9-]*): (.*)$")
_AZION_STATUS = re.compile(r"^HTTP/[\d.]+ (\d{3})\b")
_AZION_ROLE = re.compile(r"^\*\*(Request|Response) Example\*\*\s*$")


def _azion_fences(lines: list[str], start: int, end: int) -> list[tuple[int, list[str], str]]:
    """(index of the first content line, content lines, role) of each fenced block."""
    found: list[tuple[int, list[str], str]] = []
    role = ""
    index = start
    while index < end:
        marker = _AZION_ROLE.match(lines[index])
        if marker:
            role = marker.group(1)
        fence = _AZION_FENCE.match(lines[index])
        if fence:
            close = index + 1
            while close < end and not lines[close].startswith(fence.group(1)):
                close += 1
            found.append((index + 1, lines[index + 1 : close], role))
            index = close
        index += 1
    return found


def _azion_exchange(
    seed: str, title: str, heading_line: int, lines: list[str], start: int, end: int
) -> DocumentedExchange | None:
    headings = tuple(
        (m.group(1), m.group(2)) for line in lines[start:end] if (m := _AZION_HEADING.match(line))
    )
    fields: dict[str, Any] = {}
    for first, content, role in _azion_fences(lines, start, end):
        offset = next((i for i, line in enumerate(content) if line.strip()), None)
        if offset is None:
            continue
        head = content[offset].strip()
        request_line = _AZION_REQUEST_LINE.match(head)
        status = _AZION_STATUS.match(head)
        if request_line:
            fields["method"], fields["sample_path"] = request_line.group(1), request_line.group(2)
            fields["sample_line"] = first + offset + 1
            fields["request_headers"] = tuple(
                (m.group(1), m.group(2).strip())
                for line in content[offset + 1 :]
                if (m := _AZION_HEADER.match(line.strip()))
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


def parse_azion(text: str, seed: str = "azion-data-streaming-api-v3.md") -> SeedDocument:
    """One exchange per `##`/`###` section that holds fenced examples."""
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if _AZION_SECTION.match(line)]
    exchanges = []
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(lines)
        match = _AZION_SECTION.match(lines[start])
        assert match is not None
        exchange = _azion_exchange(seed, match.group(1), start + 1, lines, start + 1, end)
        if exchange is not None:
            exchanges.append(exchange)
    return SeedDocument(seed, tuple(exchanges))


PARSERS = {"akamai": parse_akamai, "azion": parse_azion}


def parse_seed(api: str, path: Path) -> SeedDocument:
    """Parse the seed of `api` (`akamai` or `azion`) at `path`."""
    return PARSERS[api](path.read_text(encoding="utf-8"), path.name)
