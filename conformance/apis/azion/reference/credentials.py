"""The tokens the reference server accepts: one with Edit Data Streaming permission (reads and
writes) and a View-only one (reads; writes answer 403)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conformance.reference.config import ReferenceConfig

DEFAULT_TOKEN = "dsconform-edit-token"
DEFAULT_VIEW_TOKEN = "dsconform-view-token"


@dataclass(frozen=True, slots=True)
class Tokens:
    """The edit token and the view-only token a server accepts."""

    token: str = DEFAULT_TOKEN
    view_token: str = DEFAULT_VIEW_TOKEN


def accepted(config: ReferenceConfig) -> Tokens:
    """The tokens the server accepts (the fixed test tokens unless the config gives some)."""
    credentials = config.credentials
    if credentials is None:
        return Tokens()
    if not isinstance(credentials, Tokens):
        raise TypeError(f"expected Tokens, got {type(credentials).__name__}")
    return credentials
