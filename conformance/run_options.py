"""Every option of a run, declared once: the `run` flags, the pytest plugin's `--dsconform-*`
twins, the config file's keys, `settings_builder.DEFAULTS` and the help texts (each naming its
environment variable and default) are all generated from `RUN_OPTIONS`.

To add an option `--foo-bar`:

1. a `RunOption("foo-bar", ...)` row below: its help (what it does; the variable and the
   default are appended), `type` (parses the text of a flag, a variable or a config-file value;
   raise `argparse.ArgumentTypeError` with a one-line reason), `default`, and `default_text`
   when the default needs words (`None` meaning "the embedded server");
2. a field of `settings.RunSettings` with the same default, filled in `build_settings`
   (`settings_builder.py`) from `values["foo_bar"]`;
3. an environment variable, if any: `"foo_bar": ("FOO_BAR",)` in the `environment` of each API
   that reads it (`apis/<name>/__init__.py`; `settings.ENVIRONMENT` gathers them for `--help`
   and crash logs); a credential: `settings.SECRET_SETTINGS`. An option only some APIs take:
   its help is theirs (`"foo-bar": "..."` in their `ApiDefinition.options`, joined by
   `of_apis`), and another API's run refuses it;
4. the README flag table row, and a bad-input case in `tests/test_bad_input.py`.

Nothing else: the flag, the plugin option, the config-file key (`foo-bar` or `foo_bar`), the
precedence (flag > environment > file > default) and `dsconform config` follow from the row.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from conformance import transport
from conformance.apis import APIS
from conformance.argument_types import (
    base_url,
    identifier,
    non_empty,
    phase_list,
    positive_float,
    positive_int,
    rate,
    worker_count,
)
from conformance.settings import ENVIRONMENT, PHASES, PROFILES, SECRET_SETTINGS

# store_true: an on/off switch, `--<name>` and `--no-<name>` on the command line.
Action = Literal["store", "store_true", "append"]


@dataclass(frozen=True, slots=True)
class RunOption:
    """One option of `dsconform run`: flag `--<name>`, config-file key `<name>`."""

    name: str
    help: str
    default: Any = None
    default_text: str | None = None  # how help shows the default (else the value itself)
    type: Callable[[str], Any] | None = None
    choices: tuple[str, ...] | None = None
    metavar: str | None = None
    action: Action = "store"
    # The file may give an array for it; its items are joined with commas (`phases`).
    comma_list: bool = False
    # Names where requests go (`base-url`; an `.edgerc`'s host): never from the environment,
    # not even through `${VAR}` in the config file (issue 11).
    names_target: bool = False
    exclusive: str | None = None  # flags of one argparse mutually exclusive group
    plugin_help: str | None = None  # the `--dsconform-*` twin's help, when it differs
    plugin_default_text: str | None = None  # and its default, when that differs
    short: str | None = None  # a one-letter flag besides `--<name>` (`-H`)
    # Says how requests are signed (a credential or where to find one): `sweep` takes it too.
    signs: bool = False

    @property
    def dest(self) -> str:
        """The argparse name, the `build_settings` key: `max-examples` -> `max_examples`."""
        return self.name.replace("-", "_")

    @property
    def variables(self) -> tuple[str, ...]:
        """The environment variables that supply it (in some API's runs), in reading order."""
        return ENVIRONMENT.get(self.dest, ())

    @property
    def env(self) -> str | None:
        """The environment variables that supply it, as help names them; None: none."""
        return ", then ".join(self.variables) or None

    @property
    def secret(self) -> bool:
        return self.dest in SECRET_SETTINGS

    @property
    def is_path(self) -> bool:
        """A file or directory: relative values in a config file are relative to that file."""
        return self.type is Path

    def help_text(self, *, plugin: bool = False) -> str:
        """The help line: what it does, then its environment variable and default."""
        text = (self.plugin_help if plugin and self.plugin_help else self.help).rstrip(".")
        default = (plugin and self.plugin_default_text) or self.default_text
        default = default or self.default_display()
        env = f"env {self.env}; " if self.env else ""
        return f"{text} ({env}default: {default})".replace("%", "%%")

    def default_display(self) -> str:
        if self.action == "store_true":
            return "on" if self.default else "off"
        if self.default is None or self.default == ():
            return "none"
        return f"{self.default:g}" if isinstance(self.default, float) else str(self.default)

    def argparse_kwargs(self, *, plugin: bool = False) -> dict[str, Any]:
        """Keyword arguments of `add_argument` / pytest's `addoption`. The default is None
        ("not given"), so the config file and the environment can fill it in."""
        # `--read-only` / `--no-read-only`: a flag can undo what the config file switched on.
        action = argparse.BooleanOptionalAction if self.action == "store_true" else self.action
        kwargs: dict[str, Any] = {
            "dest": self.dest,
            "action": action,
            "default": None,
            "help": self.help_text(plugin=plugin),
        }
        if self.action != "store_true":
            kwargs.update(type=self.type, choices=self.choices, metavar=self.metavar)
        return {k: v for k, v in kwargs.items() if v is not None or k == "default"}


def of_apis(name: str) -> str:
    """The help of option `name`, which only some APIs take: each one's phrase for it."""
    return "; ".join(api.options[name] for api in APIS.values() if name in api.options)


RUN_OPTIONS: tuple[RunOption, ...] = (
    RunOption(
        "base-url",
        "the target (http:// or https://)",
        type=base_url,
        metavar="URL",
        names_target=True,
        default_text="the embedded reference server",
    ),
    RunOption(
        "token",
        of_apis("token"),
        signs=True,
        type=non_empty,
        metavar="TOKEN",
    ),
    RunOption(
        "view-token",
        of_apis("view-token"),
        type=non_empty,
        metavar="TOKEN",
    ),
    RunOption(
        "edgerc",
        of_apis("edgerc"),
        signs=True,
        type=Path,
        metavar="FILE",
        names_target=True,
        default_text="none: unsigned, for mocks",
    ),
    RunOption(
        "section",
        of_apis("section"),
        signs=True,
        type=non_empty,
        metavar="NAME",
        default="default",
    ),
    RunOption(
        "report-dir",
        "where the reports go",
        type=Path,
        metavar="DIR",
        default_text="reports/<api>-<UTC timestamp>/",
        plugin_help="reports go to DIR/<api>/",
        plugin_default_text="the session's temporary directory",
    ),
    RunOption(
        "phases",
        f"comma-separated, from {','.join(PHASES)}",
        type=phase_list,
        metavar="LIST",
        comma_list=True,
        default_text="the profile's",
    ),
    RunOption(
        "profile",
        "default: all phases; minimal: the scenarios only, the fewest requests",
        choices=tuple(sorted(PROFILES)),
        default="default",
    ),
    RunOption(
        "domain-id",
        of_apis("domain-id"),
        type=identifier,
        action="append",
        metavar="ID",
        default=(),
        default_text="the seed's sample id",
    ),
    RunOption(
        "scenarios",
        "comma-separated scenario names to run",
        metavar="NAMES",
        comma_list=True,
        default_text="all of the API's",
    ),
    RunOption(
        "read-only",
        "send only GET requests; what needs writes is skipped, not failed",
        action="store_true",
        default=False,
    ),
    RunOption(
        "allow-writes",
        "allow writes to a target that is not on loopback",
        action="store_true",
        default=False,
    ),
    RunOption(
        "rate-limit",
        "at most N requests per PERIOD (e.g. 20/60s, 5/1s, 100/1m)",
        type=rate,
        metavar="N/PERIOD",
    ),
    RunOption(
        "deadline",
        "stop the run (exit 2, partial report) after this long, a request in flight too",
        type=positive_float,
        metavar="SECONDS",
        plugin_help="stop the run after this long (its tests fail: run aborted)",
    ),
    RunOption(
        "max-examples",
        "generated cases per operation and mode",
        type=positive_int,
        metavar="N",
        default=10,
    ),
    RunOption("seed", "generation seed", type=int, metavar="N", default=0),
    RunOption(
        "workers",
        "processes sharing the property phase (and one rate budget), at most 64",
        type=worker_count,
        metavar="N",
        default=1,
    ),
    RunOption(
        "timeout",
        "seconds per request: connect, headers and the full body",
        type=positive_float,
        metavar="SECONDS",
        default=30.0,
    ),
    RunOption(
        "settle-timeout",
        "how long a scenario waits for an activation or deletion to finish (a vendor may "
        "document about 90 minutes for an activation)",
        type=positive_float,
        metavar="SECONDS",
        default=60.0,
    ),
    RunOption(
        "fault",
        "embedded target only: inject a reference-server fault (repeatable)",
        action="append",
        metavar="NAME",
        default=(),
    ),
    RunOption(
        "record",
        "write every HTTP interaction into vcrpy cassettes under DIR/<api>/ (redacted)",
        type=Path,
        metavar="DIR",
        exclusive="cassettes",
    ),
    RunOption(
        "replay",
        "evaluate the checks from the cassettes under DIR/<api>/, network blocked",
        type=Path,
        metavar="DIR",
        exclusive="cassettes",
    ),
    RunOption(
        "baseline",
        "known failures (reason, optional expiry): exit 0 when only those fail",
        type=Path,
        metavar="FILE",
        plugin_help="known failures: their tests xfail instead of failing",
    ),
    RunOption(
        "fail-on",
        "which failed requirements fail the run (exit 1): explicit MUSTs, every MUST, or all; "
        "the other failures are reported as deviations",
        choices=("explicit", "must", "all"),
        default="explicit",
        plugin_help="which failed requirements fail their test; the others (deviations) xfail",
    ),
    RunOption(
        "include",
        "only the requirements (IDs such as PREFIX-RATE-*) or operations (operationIds) these "
        "comma-separated globs match, ignoring case (repeatable; include first, then exclude)",
        action="append",
        metavar="PATTERNS",
        default=(),
        default_text="everything",
    ),
    RunOption(
        "exclude",
        "not the requirements (IDs such as PREFIX-RATE-*) or operations (operationIds) these "
        "comma-separated globs match, ignoring case (repeatable; include first, then exclude)",
        action="append",
        metavar="PATTERNS",
        default=(),
        default_text="nothing",
    ),
    RunOption(
        "max-failures",
        "stop after N failed requirements the --fail-on policy covers (deviations do not "
        "count), clean up, report the rest as untested (out-of-scope), exit 1",
        type=positive_int,
        metavar="N",
        default_text="never",
        plugin_help="stop the run after N failed requirements",
    ),
    # Transport (issue 15; conformance/transport.py says how each is used).
    RunOption(
        "header",
        "send this header with every request that does not set it itself (repeatable; redacted "
        "in every output when it looks like a credential; -H Authorization only when no "
        "--token/--edgerc signs the requests)",
        type=transport.header,
        action="append",
        metavar="NAME:VALUE",
        default=(),
        short="-H",
    ),
    RunOption(
        "ca-bundle",
        "PEM file of CA certificates to check the target's TLS certificate with",
        type=Path,
        metavar="FILE",
        default_text="$REQUESTS_CA_BUNDLE, else $CURL_CA_BUNDLE, else $SSL_CERT_FILE, else "
        "certifi's bundle",
    ),
    RunOption(
        "tls-verify",
        "check the target's TLS certificate; false prints a warning",
        type=transport.boolean,
        metavar="true|false",
        default="true",
    ),
    RunOption(
        "client-cert",
        "PEM client certificate for targets that require one (its key in the same file, or "
        "in --client-key)",
        type=Path,
        metavar="FILE",
    ),
    RunOption(
        "client-key", "PEM private key of --client-cert (unencrypted)", type=Path, metavar="FILE"
    ),
    RunOption(
        "account-key",
        of_apis("account-key"),
        type=transport.account_key,
        metavar="KEY",
        default_text="account_key of the .edgerc section",
    ),
)
TRANSPORT_OPTIONS = (
    "header",
    "ca-bundle",
    "tls-verify",
    "client-cert",
    "client-key",
    "account-key",
)

OPTIONS_BY_NAME = {option.name: option for option in RUN_OPTIONS}
SIGNING_OPTIONS = tuple(option.name for option in RUN_OPTIONS if option.signs)


def add_run_options(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup,
    options: Iterable[RunOption] = RUN_OPTIONS,
) -> None:
    """Add each option as a `--<name>` flag (mutually exclusive ones in their group)."""
    groups: dict[str, argparse._MutuallyExclusiveGroup] = {}
    for option in options:
        target: Any = parser
        if option.exclusive is not None:
            if option.exclusive not in groups:
                groups[option.exclusive] = parser.add_mutually_exclusive_group()
            target = groups[option.exclusive]
        names = [option.short] if option.short else []
        target.add_argument(*names, f"--{option.name}", **option.argparse_kwargs())
