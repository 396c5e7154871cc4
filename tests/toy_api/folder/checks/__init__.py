"""The toy API's exchange checks, registered in this one place."""

from __future__ import annotations

from conformance.apis.toy.checks.headers import version_header
from conformance.checks.base import ExchangeCheck

CHECKS: tuple[ExchangeCheck, ...] = (ExchangeCheck("TOY-HEADER-001", "toy", version_header),)
