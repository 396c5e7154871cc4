"""Run settings from option values and the environment, with one precedence for every caller.

`dsconform run` and the pytest plugin both hand their parsed option values to `build_settings`
(keys are the `run` flags' argparse names: `base_url`, `view_token`, `domain_id`, `fault`,
`record`, ...). A value wins when it was given (not None, not False, not an empty list); else the
environment variable of `settings.ENVIRONMENT`, when set and not empty; else the default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from conformance.settings import ENVIRONMENT, ENVIRONMENT_FIRST, PROFILES, RunSettings
from conformance.transport import DEFAULTS as TRANSPORT_DEFAULTS

# The default of every option `build_settings` reads (`RunSettings`' own, where it has one).
DEFAULTS: dict[str, Any] = {
    "base_url": None,
    "token": None,
    "view_token": None,
    "edgerc": None,
    "section": "default",
    "report_dir": None,
    "phases": None,  # None: the profile's
    "profile": "default",
    "scenarios": None,  # None: every scenario of the API
    "domain_id": (),
    "read_only": False,
    "allow_writes": False,
    "rate_limit": None,
    "deadline": None,
    "max_examples": 10,
    "seed": 0,
    "workers": 1,
    "timeout": 30.0,
    "settle_timeout": 60.0,
    "fault": (),
    "record": None,
    "replay": None,
    "baseline": None,
    "fail_on": "explicit",
    **TRANSPORT_DEFAULTS,
    "include": (),
    "exclude": (),
    "max_failures": None,
}


class SettingsError(ValueError):
    """Option values that cannot make a run; the message is one line for the user."""


def _given(value: Any) -> bool:
    return value is not None and value is not False and value != [] and value != ()


def _path(value: Any) -> Path | None:
    return Path(value) if value else None


def scenario_names(
    api: str, value: str | tuple[str, ...] | list[str] | None
) -> tuple[str, ...] | None:
    """`--scenarios` (comma-separated text or names) checked against the API's scenarios."""
    if value is None:
        return None
    from conformance.scenarios.registry import SCENARIOS

    parts = value.split(",") if isinstance(value, str) else list(value)
    names = tuple(n.strip() for n in parts if n.strip())
    known = [s.name for s in SCENARIOS[api]]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise SettingsError(
            f"unknown {api} scenario(s) {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(known)}"
        )
    return names


def run_filters(
    api: str, include: Any, exclude: Any, *, all_apis: bool = False
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`--include`/`--exclude` patterns (repeatable comma lists), each checked to match a
    requirement ID or an operationId of the API (engine/filters.py); with `all_apis` (a run
    of `--api all`), of at least one API."""
    from conformance.apis import APIS, get_api
    from conformance.catalogue import load_catalogue
    from conformance.engine.filters import FilterError, build_scope, split_patterns
    from conformance.openapi_document import OpenApiDocument

    included, excluded = split_patterns(include), split_patterns(exclude)
    if not (included or excluded):
        return (), ()

    def check(name: str, patterns_in: tuple[str, ...], patterns_out: tuple[str, ...]) -> None:
        definition = get_api(name)
        document = OpenApiDocument.load(definition.spec_path)
        operations = [op.operation_id for op in document.operations]
        build_scope(load_catalogue(definition), operations, patterns_in, patterns_out)

    try:
        if not all_apis:
            check(api, included, excluded)
            return included, excluded
        for flag, pattern in [("in", p) for p in included] + [("out", p) for p in excluded]:
            errors: list[str] = []
            for name in sorted(APIS):  # each pattern must be some API's
                try:
                    inside, outside = ((pattern,), ()) if flag == "in" else ((), (pattern,))
                    check(name, inside, outside)
                except FilterError as exc:
                    errors.append(str(exc))
            if len(errors) == len(APIS):
                raise FilterError(errors[0])
    except FilterError as exc:
        raise SettingsError(str(exc)) from None
    return included, excluded


def edgerc_for_run(
    flag: Path | None, base_url: str | None, environ: Mapping[str, str] | None = None
) -> Path | None:
    """The .edgerc a run signs with: the `--edgerc` flag's, or $AKAMAI_EDGERC only when the
    command line names the target (`--base-url`). A variable supplies credentials, never a
    target: without either flag the run stays on the embedded reference server."""
    if flag is not None:
        return flag
    value = (os.environ if environ is None else environ).get(ENVIRONMENT["edgerc"])
    return Path(value) if value and base_url is not None else None


def build_settings(
    api: str, options: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> RunSettings:
    """The `RunSettings` of one API's run: option value, then environment, then default.

    Raises SettingsError for combinations no run can honour (one line, for a usage error).
    """
    env = os.environ if environ is None else environ

    def pick(name: str) -> Any:
        value = options.get(name)
        if _given(value):
            return value
        for variable in (*ENVIRONMENT_FIRST.get(name, ()), ENVIRONMENT.get(name)):
            if variable and env.get(variable):
                return env[variable]
        return DEFAULTS[name]

    profile = str(pick("profile"))
    if profile not in PROFILES:
        raise SettingsError(f"unknown profile {profile!r}; choose from {', '.join(PROFILES)}")
    base_url, faults = pick("base_url"), tuple(pick("fault"))
    record, replay, workers = _path(pick("record")), _path(pick("replay")), int(pick("workers"))
    if faults and base_url:
        raise SettingsError("--fault applies only to the embedded reference server (no --base-url)")
    if record and replay:
        raise SettingsError("--record and --replay exclude each other")
    if workers > 1 and (record or replay):
        raise SettingsError("--workers cannot be combined with --record or --replay")
    if replay and (base_url or faults):
        raise SettingsError("--replay takes its target from the cassettes: drop --base-url/--fault")
    if pick("ca_bundle") and str(pick("tls_verify")) == "false":
        raise SettingsError("--ca-bundle and --tls-verify false exclude each other")
    if pick("account_key") and api != "akamai":
        raise SettingsError("--account-key is Akamai's (accountSwitchKey): drop it for Azion")
    include, exclude = run_filters(
        api, pick("include"), pick("exclude"), all_apis=options.get("api") == "all"
    )
    return RunSettings(
        api=api,
        include=include,
        exclude=exclude,
        max_failures=pick("max_failures"),
        base_url=base_url,
        token=pick("token"),
        view_token=pick("view_token"),
        edgerc=edgerc_for_run(_path(options.get("edgerc")), base_url, env),
        section=str(pick("section")),
        report_dir=_path(pick("report_dir")),
        phases=tuple(pick("phases") or PROFILES[profile]),
        profile=profile,
        scenarios=scenario_names(api, pick("scenarios")),
        domain_ids=tuple(int(d) for d in pick("domain_id")),
        read_only=bool(pick("read_only")),
        allow_writes=bool(pick("allow_writes")),
        rate_limit=pick("rate_limit"),
        deadline=pick("deadline"),
        max_examples=int(pick("max_examples")),
        seed=int(pick("seed")),
        workers=workers,
        timeout=float(pick("timeout")),
        settle_timeout=float(pick("settle_timeout")),
        faults=faults,
        record_dir=record,
        replay_dir=replay,
        baseline=_path(pick("baseline")),
        fail_on=str(pick("fail_on")),
        headers=tuple((str(name), str(value)) for name, value in pick("header")),
        ca_bundle=_path(pick("ca_bundle")),
        tls_verify=str(pick("tls_verify")) != "false",
        client_cert=_path(pick("client_cert")),
        client_key=_path(pick("client_key")),
        account_key=pick("account_key"),
    )
