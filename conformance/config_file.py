"""The config file: run settings kept in the repository, `dsconform.toml` or the
`[tool.dsconform]` table of `pyproject.toml`.

Keys are the long names of the `run` flags (`base-url`, `max-examples`; `max_examples` is the
same key), values as TOML gives them (`max-examples = 5`, `read-only = true`,
`phases = ["property", "stateful"]`). A table named after an API (`[<api>]` in dsconform.toml,
`[tool.dsconform.<api>]` in pyproject.toml) overrides the common keys for that API's runs.

Which file: `--config FILE` names one (`/dev/null`: none; a file called `pyproject.toml` is read
for its `[tool.dsconform]` table, any other for its top level). Else the current directory, then
its parents up to the root of the git checkout holding it (only the current directory outside
one): the first directory with a `dsconform.toml`, or a `pyproject.toml` that has a
`[tool.dsconform]` table, wins; in one directory, `dsconform.toml` beats `pyproject.toml`. No
environment variable names the file: a file may name the target (`base-url`, `edgerc`), and an
environment variable never supplies a target.

String values take `${VAR}` from the environment (a variable that is not set is an error;
`$${` is a literal `${`), except those naming the target. Relative paths are relative to the
file's directory; `~` is the home directory. Every problem is one `ConfigFileError` line naming
the file (and the key), before anything is sent.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.apis import APIS
from conformance.run_options import OPTIONS_BY_NAME, RunOption

DEDICATED = "dsconform.toml"
PYPROJECT = "pyproject.toml"
_VARIABLE = re.compile(r"\$\$\{|\$\{([^}]*)(\})?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ConfigFileError(ValueError):
    """A config file that cannot be used; the message is one line naming the file."""


class _UnsetVariable(ConfigFileError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


@dataclass(frozen=True, slots=True)
class FileValue:
    """One value the file gives, parsed, and where it stands (for `dsconform config`)."""

    value: Any
    table: str  # "[tool.dsconform.<api>]", or "" for a dsconform.toml's top level
    variables: tuple[str, ...] = ()  # the `${VAR}`s it took
    # A `${VAR}` that is not set: an error only if the value is used (a flag, or the variable
    # that beats the file, makes it irrelevant; so does another API's run).
    unset: str | None = None

    def source(self, path: Path) -> str:
        where = f"file {path}" + (f" {self.table}" if self.table else "")
        return where + "".join(f" ${{{name}}}" for name in self.variables)


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """A loaded config file: its common values and each API's overrides, by `dest` name."""

    path: Path
    common: Mapping[str, FileValue] = field(default_factory=dict)
    apis: Mapping[str, Mapping[str, FileValue]] = field(default_factory=dict)
    shadowed: Path | None = None  # a pyproject.toml table that lost to dsconform.toml

    @property
    def has_values(self) -> bool:
        return bool(self.common) or any(self.apis.values())

    def secret_values(self) -> set[str]:
        """Every credential the file gives (for scrubbing a crash log)."""
        tables = [self.common, *self.apis.values()]
        return {
            str(v.value)
            for table in tables
            for name, v in table.items()
            if v.value and OPTIONS_BY_NAME[name.replace("_", "-")].secret
        }

    def values_for(self, api: str) -> dict[str, FileValue]:
        """The values an `api` run takes from the file: its own table over the common one."""
        return {**self.common, **self.apis.get(api, {})}


def load_config(
    explicit: Path | str | None, cwd: Path, environ: Mapping[str, str] | None = None
) -> ConfigFile | None:
    """The config file of a run: `explicit` (`--config`), else the one found from `cwd`."""
    env = os.environ if environ is None else environ
    if explicit is not None:
        path = cwd / Path(explicit).expanduser()
        data = _read(path)
        if path.name == PYPROJECT:
            table = _tool_table(data)
            if table is None:
                raise ConfigFileError(f"{path}: no [tool.dsconform] table")
            return _parse(path, table, "[tool.dsconform]", env)
        return _parse(path, data, "", env)
    for directory in _search_path(cwd):
        dedicated, pyproject = directory / DEDICATED, directory / PYPROJECT
        if dedicated.is_file():
            config = _parse(dedicated, _read(dedicated), "", env)
            shadowed = pyproject if _has_tool_table(pyproject) else None
            return ConfigFile(config.path, config.common, config.apis, shadowed)
        table = _tool_table(_read(pyproject)) if pyproject.is_file() else None
        if table is not None:
            return _parse(pyproject, table, "[tool.dsconform]", env)
    return None


def _has_tool_table(pyproject: Path) -> bool:
    """Whether a pyproject.toml that lost to dsconform.toml has our table (a note, no error)."""
    try:
        return pyproject.is_file() and _tool_table(_read(pyproject)) is not None
    except ConfigFileError:
        return False


def _search_path(cwd: Path) -> list[Path]:
    """`cwd` and its parents up to the git checkout's root; `cwd` alone outside a checkout."""
    chain = [cwd, *cwd.parents]
    for index, directory in enumerate(chain):
        if (directory / ".git").exists():
            return chain[: index + 1]
    return [cwd]


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigFileError(f"{path}: not UTF-8 text") from None
    except IsADirectoryError:
        raise ConfigFileError(f"{path}: is a directory, not a config file") from None
    except FileNotFoundError:
        raise ConfigFileError(f"{path}: config file not found") from None
    except OSError as exc:
        raise ConfigFileError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(f"{path}: not valid TOML: {exc}") from None


def _tool_table(data: dict[str, Any]) -> dict[str, Any] | None:
    tool = data.get("tool")
    table = tool.get("dsconform") if isinstance(tool, dict) else None
    return table if isinstance(table, dict) else None


def _parse(path: Path, data: dict[str, Any], table: str, env: Mapping[str, str]) -> ConfigFile:
    common = _values(path, data, table, env, allow_api_tables=True)
    apis: dict[str, dict[str, FileValue]] = {}
    for key, value in data.items():
        api = _normal(key)
        if api in APIS and isinstance(value, dict):
            apis[api] = _values(path, value, _child(table, api), env, allow_api_tables=False)
    return ConfigFile(path, common, apis)


def _child(table: str, name: str) -> str:
    return f"[{table[1:-1]}.{name}]" if table else f"[{name}]"


def _normal(key: str) -> str:
    return key.replace("_", "-")


def _values(
    path: Path, data: dict[str, Any], table: str, env: Mapping[str, str], *, allow_api_tables: bool
) -> dict[str, FileValue]:
    where = f"{path}: " + (f"{table} " if table else "")
    values: dict[str, FileValue] = {}
    spelled: dict[str, str] = {}
    for key, raw in data.items():
        name = _normal(key)
        if allow_api_tables and name in APIS and isinstance(raw, dict):
            continue
        option = OPTIONS_BY_NAME.get(name)
        if allow_api_tables and name in APIS:
            raise ConfigFileError(f"{where}{key!r} must be a table of {name}'s settings")
        if option is None:
            raise ConfigFileError(f"{where}unknown key {key!r}{_hint(name, allow_api_tables)}")
        if name in spelled:
            raise ConfigFileError(f"{where}{key!r} and {spelled[name]!r} are the same key")
        spelled[name] = key
        try:
            value, variables = _option_value(option, raw, env, f"{where}{key}")
        except _UnsetVariable as exc:
            values[option.dest] = FileValue(None, table, (exc.name,), unset=str(exc))
            continue
        if option.is_path and value is not None:
            value = path.parent / Path(value).expanduser()
        values[option.dest] = FileValue(value, table, variables)
    return values


def _hint(name: str, top: bool) -> str:
    if name == "tool":
        return f" ({DEDICATED} takes the keys at its top level, no [tool.dsconform])"
    known = [*OPTIONS_BY_NAME, *(APIS if top else ())]
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f" (did you mean {close[0]}?)"
    return " (keys are the long names of the `dsconform run` flags)"


def _option_value(
    option: RunOption, raw: Any, env: Mapping[str, str], where: str
) -> tuple[Any, tuple[str, ...]]:
    """A file value parsed as the flag's text would be, with the `${VAR}`s it took."""
    variables: list[str] = []

    def text(item: Any) -> str:
        if isinstance(item, str):
            expanded, used = _substitute(item, env, where)
            if used and option.names_target:
                raise ConfigFileError(
                    f"{where}: names the target and takes no ${{...}}: an environment variable "
                    f"never supplies a target (give --{option.name} on the command line)"
                )
            variables.extend(used)
            return expanded
        if isinstance(item, int | float) and not isinstance(item, bool):
            return str(item)
        raise ConfigFileError(f"{where}: expected text or a number, got {_toml_kind(item)}")

    def parsed(item: Any) -> Any:
        value = text(item)
        if option.choices is not None and value not in option.choices:
            raise ConfigFileError(f"{where}: must be one of {', '.join(option.choices)}")
        if option.type is None:
            return value
        try:
            return option.type(value)
        except (argparse.ArgumentTypeError, ValueError, TypeError) as exc:
            raise ConfigFileError(f"{where}: {exc}") from None

    if option.action == "store_true":
        if not isinstance(raw, bool):
            raise ConfigFileError(f"{where}: must be true or false, got {_toml_kind(raw)}")
        return raw, ()
    if option.action == "append":
        items = raw if isinstance(raw, list) else [raw]
        return [parsed(item) for item in items], tuple(variables)
    if option.comma_list and isinstance(raw, list):
        raw = ",".join(text(item) for item in raw)
    return parsed(raw), tuple(variables)


def _substitute(value: str, env: Mapping[str, str], where: str) -> tuple[str, list[str]]:
    """`${VAR}` replaced from the environment; `$${` is a literal `${`."""
    used: list[str] = []

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$${":
            return "${"
        name = match.group(1)
        if match.group(2) is None or not _NAME.fullmatch(name):
            raise ConfigFileError(f"{where}: malformed ${{...}} (write $${{ for a literal ${{)")
        if name not in env:
            raise _UnsetVariable(name, f"{where}: environment variable {name} is not set")
        used.append(name)
        return env[name]

    return _VARIABLE.sub(replace, value), used


def _toml_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


def config_of_command(explicit: Path | str | None) -> ConfigFile | None:
    """The config file a command reads (`--config`, else the one found from the current
    directory); ConfigFileError (one line) when it cannot be used."""
    return load_config(explicit, Path.cwd(), os.environ)
