"""The last line of defence: a file written under a cassette or report directory must hold no
known secret and no high-entropy token. A file that does is deleted, and the run fails."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from conformance.redaction import find_known_secrets

# Credential-shaped runs: base64/base64url/hex alphabets, at least 24 characters.
_CANDIDATE = re.compile(r"[A-Za-z0-9+/_\-]{24,}={0,2}")
_UUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
# Thresholds in bits per character (truffleHog's: random base64 scores about 4.5 and more,
# random hex about 3.7; English, paths and identifiers stay well below).
BASE64_ENTROPY = 4.3
HEX_ENTROPY = 3.4
HEX_MIN_LENGTH = 32


class SecretLeakError(Exception):
    """A file about to be kept still holds a secret."""


@dataclass(frozen=True, slots=True)
class Leak:
    path: Path
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def shannon_entropy(text: str) -> float:
    counts = Counter(text)
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def high_entropy_tokens(text: str) -> Iterable[str]:
    """Runs of `text` that look like random credentials."""
    for match in _CANDIDATE.finditer(text):
        # A run with slashes is a path more often than base64: judge its segments.
        for token in match.group(0).split("/"):
            if _looks_random(token.strip("-_+=")):
                yield token


def _looks_random(token: str) -> bool:
    if len(token) < 24 or _UUID.match(token):
        return False
    if _HEX.match(token):
        return len(token) >= HEX_MIN_LENGTH and shannon_entropy(token) >= HEX_ENTROPY
    has_digit = any(c.isdigit() for c in token)
    has_upper = any(c.isupper() for c in token)
    has_lower = any(c.islower() for c in token)
    return has_digit + has_upper + has_lower >= 3 and shannon_entropy(token) >= BASE64_ENTROPY


def scan_text(text: str, path: Path, extra_secrets: Iterable[str] = ()) -> list[Leak]:
    """Leaks in `text`: known secrets (found as redaction finds them: a short credential only
    as a word or value of its own, see conformance.redaction) and high-entropy tokens."""
    leaks: list[Leak] = []
    extra = tuple(s for s in extra_secrets if s)
    for number, line in enumerate(text.splitlines(), 1):
        for secret in find_known_secrets(line, extra):
            leaks.append(Leak(path, number, f"a known secret ({len(secret)} characters)"))
        for token in high_entropy_tokens(line):
            leaks.append(
                Leak(
                    path, number, f"a high-entropy token ({len(token)} characters: {token[:4]}...)"
                )
            )
    return leaks


def scan_file(path: Path, extra_secrets: Iterable[str] = ()) -> list[Leak]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return scan_text(text, path, extra_secrets)


def enforce_clean(path: Path, extra_secrets: Iterable[str] = ()) -> None:
    """Delete `path` and raise SecretLeakError when it still holds a secret."""
    leaks = scan_file(path, extra_secrets)
    if leaks:
        path.unlink(missing_ok=True)
        shown = "; ".join(str(leak) for leak in leaks[:3])
        more = f" (and {len(leaks) - 3} more)" if len(leaks) > 3 else ""
        raise SecretLeakError(
            f"refused to keep {path}: it still held {shown}{more}; the file was deleted"
        )


def scan_tree(root: Path, extra_secrets: Iterable[str] = ()) -> list[Leak]:
    """Every leak in every file under `root` (used by tests and `recheck`)."""
    leaks: list[Leak] = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            leaks.extend(scan_file(path, extra_secrets))
    return leaks
