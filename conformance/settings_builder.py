"""Run settings from option values, the environment and the config file, with one precedence
for every caller: a flag, then its environment variable, then the config file, then the default.

`dsconform run`, `dsconform config` and the pytest plugin hand their parsed option values to
`build_settings` (keys are the `run` flags' argparse names: `base_url`, `view_token`,
`domain_id`, `fault`, `record`, ...). A value wins when it was given (not None, not False, not an
empty list); else the first of the API's variables for it (`ApiDefinition.environment`) that is
set and not empty; else the config file's value (`config_file.py`; an API's own table over the
common one); else the default of `run_options.RUN_OPTIONS`. An environment variable never
supplies a target: a credentials file from a variable (whose host could name the target) is used
only when a flag or the file names the `base-url`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.apis import APIS, get_api
from conformance.config_file import ConfigFile
from conformance.run_options import OPTIONS_BY_NAME, RUN_OPTIONS
from conformance.settings import PROFILES, RunSettings

# The default of every option `build_settings` reads (`RunSettings`' own, where it has one).
DEFAULTS: dict[str, Any] = {option.dest: option.default for option in RUN_OPTIONS}

FLAG, DEFAULT = "flag", "default"


@dataclass(frozen=True, slots=True)
class Resolved:
    """An option's value and where it came from: flag, env VAR, file PATH [table], default."""

    value: Any
    source: str


class SettingsError(ValueError):
    """Option values that cannot make a run; the message is one line for the user."""


def _given(value: Any) -> bool:
    """Whether an option was given: False is (`--no-read-only`), None and [] are not."""
    return value is not None and value != [] and value != ()


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


def resolve_options(
    api: str,
    options: Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
    config: ConfigFile | None = None,
) -> dict[str, Resolved]:
    """Every option's value for one API's run, and its source: the one precedence."""
    env = os.environ if environ is None else environ
    in_file = config.values_for(api) if config is not None else {}
    variables = get_api(api).environment
    resolved: dict[str, Resolved] = {}
    for option in RUN_OPTIONS:
        name = option.dest
        # A variable naming a target (an .edgerc's host) counts only once the target is named.
        target = resolved.get("base_url")
        env_allowed = not option.names_target or (target is not None and target.value is not None)
        if _given(options.get(name)):
            resolved[name] = Resolved(options[name], FLAG)
        elif (found := _variable(variables.get(name, ()), env)) and env_allowed:
            resolved[name] = Resolved(env[found], f"env {found}")
        elif name in in_file and config is not None:
            file_value = in_file[name]
            if file_value.unset is not None:
                raise SettingsError(file_value.unset)
            resolved[name] = Resolved(file_value.value, file_value.source(config.path))
        else:
            resolved[name] = Resolved(DEFAULTS[name], DEFAULT)
    return resolved


def _variable(variables: tuple[str, ...], env: Mapping[str, str]) -> str | None:
    """The first of `variables` that is set (and not empty)."""
    return next((variable for variable in variables if env.get(variable)), None)


def api_specific_options() -> list[str]:
    """The run options only some APIs take (`ApiDefinition.options`), in the APIs' order."""
    return list(dict.fromkeys(name for api in APIS.values() for name in api.options))


def not_an_option(api: str, name: str) -> str:
    """The refusal of option `name`, which `api` does not take (one line)."""
    taken = ", ".join(f"--{option}" for option in get_api(api).options) or "none of them"
    return f"--{name} is not an option of --api {api} (it takes {taken})"


def foreign_option(api: str, options: Mapping[str, Any]) -> str | None:
    """The refusal of the first option in `options` (argparse names) that only other APIs
    take; None when there is none."""
    for name in api_specific_options():
        if name not in get_api(api).options and _given(options.get(name.replace("-", "_"))):
            return not_an_option(api, name)
    return None


def run_filters(
    api: str, include: Any, exclude: Any, *, all_apis: bool = False
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`--include`/`--exclude` patterns (repeatable comma lists), each checked to match a
    requirement ID or an operationId of the API (engine/filters.py); with `all_apis` (a run
    of `--api all`), of at least one API."""
    from conformance.catalogue import Catalogue, load_catalogue
    from conformance.engine.filters import FilterError, build_scope, split_patterns
    from conformance.openapi_document import OpenApiDocument

    included, excluded = split_patterns(include), split_patterns(exclude)
    if not (included or excluded):
        return (), ()

    loaded: dict[str, tuple[Catalogue, list[str]]] = {}  # each API's contract, read once

    def check(name: str, patterns_in: tuple[str, ...], patterns_out: tuple[str, ...]) -> None:
        if name not in loaded:
            definition = get_api(name)
            document = OpenApiDocument.load(definition.spec_path)
            loaded[name] = (
                load_catalogue(definition),
                [o.operation_id for o in document.operations],
            )
        build_scope(*loaded[name], patterns_in, patterns_out)

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


def _check_combinations(api: str, values: Mapping[str, Any]) -> None:
    """Raise SettingsError for option values no run can honour together."""
    if str(values["profile"]) not in PROFILES:
        known = ", ".join(PROFILES)
        raise SettingsError(f"unknown profile {values['profile']!r}; choose from {known}")
    base_url, faults = values["base_url"], values["fault"]
    record, replay = values["record"], values["replay"]
    if faults and base_url:
        raise SettingsError("--fault applies only to the embedded reference server (no --base-url)")
    if record and replay:
        raise SettingsError("--record and --replay exclude each other")
    if int(values["workers"]) > 1 and (record or replay):
        raise SettingsError("--workers cannot be combined with --record or --replay")
    if replay and (base_url or faults):
        raise SettingsError("--replay takes its target from the cassettes: drop --base-url/--fault")
    if values["ca_bundle"] and str(values["tls_verify"]) == "false":
        raise SettingsError("--ca-bundle and --tls-verify false exclude each other")
    if values["account_key"] and not get_api(api).account_parameter:
        raise SettingsError(not_an_option(api, "account-key"))


def build_settings(
    api: str,
    options: Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
    config: ConfigFile | None = None,
) -> RunSettings:
    """The `RunSettings` of one API's run: flag, then environment, then file, then default.

    Raises SettingsError for combinations no run can honour (one line, for a usage error).
    """
    values = {name: r.value for name, r in resolve_options(api, options, environ, config).items()}
    _check_combinations(api, values)
    include, exclude = run_filters(
        api, values["include"], values["exclude"], all_apis=options.get("api") == "all"
    )
    profile = str(values["profile"])
    return RunSettings(
        api=api,
        include=include,
        exclude=exclude,
        max_failures=values["max_failures"],
        base_url=values["base_url"],
        token=values["token"],
        view_token=values["view_token"],
        edgerc=_path(values["edgerc"]),
        section=str(values["section"]),
        report_dir=_path(values["report_dir"]),
        phases=tuple(values["phases"] or PROFILES[profile]),
        profile=profile,
        scenarios=scenario_names(api, values["scenarios"]),
        domain_ids=tuple(int(d) for d in values["domain_id"]),
        read_only=bool(values["read_only"]),
        allow_writes=bool(values["allow_writes"]),
        rate_limit=values["rate_limit"],
        deadline=values["deadline"],
        max_examples=int(values["max_examples"]),
        seed=int(values["seed"]),
        workers=int(values["workers"]),
        timeout=float(values["timeout"]),
        settle_timeout=float(values["settle_timeout"]),
        faults=tuple(values["fault"]),
        record_dir=_path(values["record"]),
        replay_dir=_path(values["replay"]),
        baseline=_path(values["baseline"]),
        fail_on=str(values["fail_on"]),
        headers=tuple((str(name), str(value)) for name, value in values["header"]),
        ca_bundle=_path(values["ca_bundle"]),
        tls_verify=str(values["tls_verify"]) != "false",
        client_cert=_path(values["client_cert"]),
        client_key=_path(values["client_key"]),
        account_key=values["account_key"],
    )


def settings_table(
    api: str,
    options: Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
    config: ConfigFile | None = None,
) -> list[str]:
    """`dsconform config`: each option's effective value and its source, secrets redacted.

    Raises SettingsError as `build_settings` does: what is shown is what a run would take."""
    build_settings(api, options, environ, config)
    resolved = resolve_options(api, options, environ, config)
    rows = [(name, _shown(name, r), r.source) for name, r in resolved.items()]
    width = max(len(OPTIONS_BY_NAME[_flag(n)].name) for n, _, _ in rows)
    value_width = min(40, max(len(v) for _, v, _ in rows))
    lines = [f"{api} settings (config file: {config.path if config else 'none'})"]
    if config is not None and config.shadowed is not None:
        lines.append(f"  ({config.shadowed} [tool.dsconform] is ignored: {config.path} wins)")
    for name, value, source in rows:
        lines.append(f"  {_flag(name):<{width}}  {value:<{value_width}}  {source}")
    return lines


def _flag(dest: str) -> str:
    return dest.replace("_", "-")


def _shown(name: str, resolved: Resolved) -> str:
    option, value = OPTIONS_BY_NAME[_flag(name)], resolved.value
    if value is None or value == () or value == []:
        return option.default_text or option.default_display()
    if option.secret:
        return "<redacted>"
    if isinstance(value, bool):
        return "on" if value else "off"
    if name == "rate_limit":
        return f"{value[0]}/{value[1]:g}s"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)
