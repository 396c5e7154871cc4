"""A seed document as printed: every request and response sample, where it stands and whether
it is JSON at all.

Nothing here repairs a sample. A JSON block is read with `json.JSONDecoder().raw_decode` from
its first `{` or `[`; a block that does not parse keeps its raw text and says why, because a
sample that is not JSON is itself a finding about the document. `straighten_quotes` is the one
mechanical repair a caller may choose to try, and must label as such.

Each seed has its own format, so each API's folder holds its parser (`apis/<name>/samples.py`,
`parse_seed`); this module holds what they share: the types they yield and the JSON reading.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

CURLY_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"'})
_DECODER = json.JSONDecoder()
METHODS = "GET|POST|PUT|PATCH|DELETE"  # the methods a seed's request lines may name


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
    line: int  # line of the section's endpoint line or heading
    method: str
    path: str  # the path template as printed (`{?groupId}`, `:id` and all)
    sample_path: str | None = None  # a concrete path the seed gives (Sample: URL, request line)
    sample_line: int | None = None
    request_headers: tuple[tuple[str, str], ...] = ()  # as printed
    request_body: SeedBlock | None = None
    status: int | None = None  # as printed; None when the seed prints none
    media_type: str | None = None  # the response media type, as printed
    response_body: SeedBlock | None = None
    object_type: str | None = None  # the object type the section names, if it does
    headings: tuple[tuple[str, str], ...] = ()  # every (method, path) heading of the section


@dataclass(frozen=True, slots=True)
class ObjectSample:
    """A sample outside the operation sections (under an object's or the errors' heading)."""

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
