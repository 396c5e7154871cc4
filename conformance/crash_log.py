"""Exit 4: an unexpected exception is our own bug. Its traceback goes to a log file (in the
report directory when the command names one, else `$TMPDIR/dsconform-crash-*.log`), with the
credentials the user gave us scrubbed; the terminal gets one line naming that file."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

from conformance import __version__
from conformance.apis import APIS
from conformance.exit_codes import ExitCode
from conformance.redaction import PLACEHOLDER, known_secrets
from conformance.settings import ENVIRONMENT, SECRET_SETTINGS

CRASH_PREFIX = "dsconform-crash-"


def _credentials(args: argparse.Namespace | None) -> set[str]:
    """Every credential value this command was given (flags, variables, the config file, a
    credentials file they name)."""
    options = vars(args) if args is not None else {}
    values = {str(options.get(name) or "") for name in SECRET_SETTINGS} | set(known_secrets())
    values |= {os.environ.get(v) or "" for n in SECRET_SETTINGS for v in ENVIRONMENT.get(n, ())}
    config = options.get("config_file")  # loaded by `run`: its secrets too
    if config is not None:
        values.update(config.secret_values())
    for api in APIS:  # what the options point to: a credentials file's contents
        # A crash log must be written whatever else is broken.
        with contextlib.suppress(Exception):
            from conformance.engine.target import target_access

            values |= target_access(api).crash_secrets(options, os.environ)
    # -H values that look like credentials, and the account switch key (transport.py).
    with contextlib.suppress(Exception):
        from conformance.transport import Transport

        headers = tuple(options.get("header") or ())
        values.update(Transport(headers, options.get("account_key")).credentials)
    return {v for v in values if len(v) >= 4}


def scrub(text: str, secrets: set[str]) -> str:
    """`text` with each secret value replaced, longest first."""
    for value in sorted(secrets, key=len, reverse=True):
        text = text.replace(value, PLACEHOLDER)
    return text


def _log_directories(args: argparse.Namespace | None) -> list[Path | None]:
    named = (getattr(args, "report_dir", None), getattr(args, "crash_log_dir", None))
    known = [d for d in named if isinstance(d, Path) and d.is_dir()][:1]
    return [*known, None]  # None: tempfile's directory ($TMPDIR, else /tmp)


def write_crash_log(text: str, args: argparse.Namespace | None) -> Path | None:
    """Write `text` to a fresh log file (mode 0600); None when no directory would take it."""
    for directory in _log_directories(args):
        try:
            handle, name = tempfile.mkstemp(prefix=CRASH_PREFIX, suffix=".log", dir=directory)
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            return Path(name)
        except OSError:
            continue
    return None


def report_internal_error(args: argparse.Namespace | None) -> int:
    """Call from an `except Exception` block: log the traceback, print one line, exit 4."""
    kind = type(sys.exc_info()[1]).__name__
    command = " ".join(sys.argv[1:2]) or "?"
    header = (
        f"dsconform {__version__} internal error ({kind}) in `{command}` at "
        f"{datetime.now(UTC).isoformat(timespec='seconds')}\n\n"
    )
    path = write_crash_log(scrub(header + traceback.format_exc(), _credentials(args)), args)
    where = f"the traceback is in {path}" if path else "no log file could be written"
    print(
        f"dsconform: internal error ({kind}), a dsconform bug: {where}; please report it",
        file=sys.stderr,
    )
    return ExitCode.INTERNAL
