"""The Akamai seed (plain text) as printed, and where its object samples go.

An operation section is a title, a `METHOD /datastream-config-api/...` line, an optional
`Sample: /...` URL, `Content-Type:`, `Object type:`, `Status NNN media` and `Request body:` /
`Response body:` each followed by a JSON block; the Data section has `Sample POST request:` /
`Sample GET response:` blocks under object names; the Errors section has unlabelled blocks.
"""

from __future__ import annotations

import re
from typing import Any

from conformance.cassettes.samples import ObjectPlaces
from conformance.cassettes.seed_documents import (
    METHODS,
    DocumentedExchange,
    ObjectSample,
    SeedBlock,
    SeedDocument,
    read_json_block,
)

_ENDPOINT = re.compile(rf"^({METHODS}) (/datastream-config-api/\S+)$")
_SAMPLE_URL = re.compile(r"^Sample: (/\S+)$")
_CONTENT_TYPE = re.compile(r"^Content-Type: (\S+)$")
_OBJECT_TYPE = re.compile(r"^Object type: (\w+)$")
_STATUS = re.compile(r"^Status (\d{3}) (\S+)$")
_OBJECT_LABEL = re.compile(rf"^(Sample (?:{METHODS}) (?:request|response)):$")
_BODY_LABEL = re.compile(r"^(Request|Response) body:$")
_DATA_HEADING = "Data"
# A block opens with its bracket alone on a line, or with `{"`, `[{`, `["`, `[]` (a table row of
# dynamic variables, `{ %Y }-logs`, is not a block).
_BLOCK_START = re.compile(r'^(?:[{\[]\s*$|\{"|\[[{"\]])')

# Where an object sample of the Data and Errors sections goes. The operation sections'
# "Object type:" lines agree, except for Product, which no section names (listProducts
# returns products; ERRATUM-AKAMAI-012).
OBJECT_PLACES = ObjectPlaces(
    places={
        "StreamConfiguration": ("createStream", "request"),
        "DetailedStreamVersion": ("getStream", "response"),
        "StreamVersion": ("listStreams", "item"),
        "Product": ("listProducts", "item"),
        "Group": ("listGroups", "item"),
        "ConnectorType": ("listConnectorTypes", "item"),
        "Dataset": ("listDatasetFields", "item"),
        "ActivationHistory": ("getActivationHistory", "item"),
        "Property": ("listProperties", "item"),
        "AmazonS3": ("createStream", "member"),
        "AzureStorage": ("createStream", "member"),
        "Datadog": ("createStream", "member"),
        "Splunk": ("createStream", "member"),
        "Error responses": ("createStream", "error"),
    },
    member_why=(
        "a connectors[] item of a request body, not a body of its own; a recheck judges "
        "responses only"
    ),
    # An errors[] item of List streams / Get a stream answers.
    unstatused_error=(
        "listStreams",
        "no HTTP status: the seed says List streams and Get a stream return such objects inside "
        "a stream (errors[]), and the List streams sample shows them there",
    ),
)


def _block(lines: list[str], start: int) -> tuple[SeedBlock, int]:
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


def parse_seed(text: str, seed: str = "akamai-datastream2-config-api-v1.txt") -> SeedDocument:
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
        endpoint = _ENDPOINT.match(line)
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
        elif line == _DATA_HEADING and _is_heading(lines, index):
            close()
        elif current is not None and (match := _SAMPLE_URL.match(line)):
            current["sample_path"], current["sample_line"] = match.group(1), index + 1
        elif current is not None and (match := _CONTENT_TYPE.match(line)):
            current["request_headers"] = (("Content-Type", match.group(1)),)
        elif current is not None and (match := _OBJECT_TYPE.match(line)):
            current["object_type"] = match.group(1)
        elif current is not None and (match := _STATUS.match(line)):
            current["status"], current["media_type"] = int(match.group(1)), match.group(2)
        elif (match := _BODY_LABEL.match(line)) or (match := _OBJECT_LABEL.match(line)):
            pending = (match.group(0).rstrip(":"), index)
        elif _BLOCK_START.match(line):
            block, after = _block(lines, index)
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
