"""What an API under test is: its contract files, its resource, and its own folder.

Everything that differs per API lives in its folder `conformance/apis/<name>/`, found by
convention from `ApiDefinition.package` (so that this module, read by the contract loaders,
imports nothing heavy):

    <package>/__init__.py          API = ApiDefinition(...)
    <package>/checks/__init__.py   CHECKS: the API's exchange checks
    <package>/scenarios/workflows.py SCENARIOS: the API's scripted scenarios, in run order;
                                   SCENARIO_OPERATIONS: what each sends (for --include/--exclude)
    <package>/scenarios/account.py stateful_bodies(ctx): valid create bodies for the state machine;
                                   STATEFUL_OPERATIONS: what the state machine cannot do without
    <package>/reference/app.py     create_app(config): the reference server
    <package>/reference/faults.py  FAULTS, VACUITY_FAULTS
    <package>/samples.py           parse_seed(text, seed): the seed document's samples (a
                                   SeedDocument, cassettes.seed_documents); OBJECT_PLACES: where
                                   each of its object samples goes; UNSTATUSED_ERROR: (operation,
                                   why) for an "error" object sample without a status. An API
                                   without this module has no seed-sample cassettes.
    <package>/access.py            ACCESS: how a target of the API is reached and signed for
                                   (engine/target.py `TargetAccess`: credentials of a remote
                                   run, the embedded server's credentials and rate budget, the
                                   placeholder auth of a replay, the secrets an auth holds).
                                   Optional: without it requests go unsigned (`-H
                                   Authorization` still works) and nothing names a target but
                                   --base-url.
    <package>/serving.py           add_serve_options(group), server_credentials(args): the
                                   `dsconform serve` flags of the credentials its server accepts
                                   (light: `--help` imports it). Optional: none.

What a run takes per API is data here: `options` (the run flags only this API takes, with their
help), `environment` (the variables that supply them), `account_parameter` and `examples`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from conformance.spec_files import contracts_dir


@dataclass(frozen=True, slots=True)
class Deactivation:
    """How an API that will not delete an active resource has one deactivated first: the
    request that deactivates it, the member its answers carry the activation status in, and
    the statuses that mean active or still on the way (cleanup waits them out)."""

    method: str  # sent to the item's path + `path_suffix`
    path_suffix: str
    status_member: str
    active: tuple[str, ...]  # a listed item in these is deactivated before its DELETE
    settling: tuple[str, ...]  # after the deactivation, cleanup waits while in these


@dataclass(frozen=True, slots=True)
class ResourceShape:
    """The one kind of resource a run creates in an API (a stream, a streaming), as the API's
    paths and answers show it: what the write guard, cleanup and sweep go by."""

    collection: str  # the collection's absolute path
    item_template: str  # the item's path as the spec's paths end
    id_parameter: str  # the path parameter that carries the id
    created_id: tuple[str, ...]  # members leading to the new id in a create's answer
    list_items: tuple[str, ...]  # members leading to the items of a list answer (): the body
    read_item: tuple[str, ...]  # members leading to the item in a GET of it
    name_member: str  # the item's name (run-prefixed when the run made it)
    create_operation: str  # the operationId that creates one
    noun: str  # what the API calls one (for messages)
    # Where the target refuses to delete an active item: how to deactivate it first.
    deactivation: Deactivation | None = None

    @staticmethod
    def dig(body: Any, members: tuple[str, ...]) -> Any:
        """The value `members` lead to in a JSON body; None when the way is not there."""
        for member in members:
            if not isinstance(body, dict):
                return None
            body = body.get(member)
        return body


@dataclass(frozen=True, slots=True)
class ApiDefinition:
    """One API under test."""

    name: str
    title: str
    spec_file: str
    catalogue_file: str
    seed_file: str
    id_prefix: str
    resource: ResourceShape
    package: str  # the API's own folder, as a module path
    # operationId -> the requirement schemathesis' "invalid input is answered 4xx" stands for.
    negative_data_requirements: Mapping[str, str] = field(hash=False)
    # schemathesis stateful check -> the requirement it stands for.
    stateful_requirements: Mapping[str, str] = field(hash=False)
    # A cheap authenticated read sent before the phases to a --base-url target: refused with
    # 401/403, the run stops at once (the user's credentials, diagnosed up front).
    credential_probe: str = ""
    # Headers every request to the API carries (a version the API selects by Accept).
    request_headers: Mapping[str, str] = field(default_factory=dict, hash=False)
    # Where those headers come from, as the samples built from vendor fixtures say it.
    request_headers_basis: str = "the API's definition"
    # The run options (`run_options.RUN_OPTIONS` names) only this API takes, each with what it
    # means for this API (`--help` joins every API's phrase); a run of another API refuses
    # them on the command line.
    options: Mapping[str, str] = field(default_factory=dict, hash=False)
    # The environment variables that supply an option's value in this API's runs (option dest
    # -> the variables, in the order they are read; the first one set wins).
    environment: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    # The query parameter by which a client acts for another account (`--account-key`, sent
    # on every request); empty: the API has no such switch and refuses `--account-key`.
    account_parameter: str = ""
    # `dsconform --help` examples of this API: (command line after `dsconform `, what it does).
    examples: tuple[tuple[str, str], ...] = ()
    # -- what redaction, the cassettes and the reports need to know of the API; each empty
    # for an API that has none. Redaction takes the union over the API list.
    # Header names that carry a credential (beyond the generic list redaction keeps).
    secret_headers: tuple[str, ...] = ()
    # Prefixes of a header value that is a signature or credential, whatever the header's name.
    secret_auth_schemes: tuple[str, ...] = ()
    # Secret members the contract spells (connector keys and tokens): redacted everywhere,
    # watched for echoes, numbered in cassettes.
    secret_members: tuple[str, ...] = ()
    # Members whose every value is secret (a map of custom header values).
    secret_value_maps: tuple[str, ...] = ()
    # Other names (query parameters, members) that are secret for redaction alone.
    secret_names: tuple[str, ...] = ()
    # A report's curl command: the Authorization value standing for a redacted credential
    # (may name a shell variable, `Token $VAR`); empty: the header stays redacted.
    curl_authorization: str = ""
    # Said under the curl command of a request with an Authorization curl cannot compute (a
    # signature); empty when curl can send the API's requests as they are.
    curl_signature_note: str = ""
    # The fault the example reports (reports/examples/) show: the first API naming one is used.
    example_fault: str = ""

    @property
    def spec_path(self) -> Path:
        return contracts_dir() / self.spec_file

    @property
    def catalogue_path(self) -> Path:
        return contracts_dir() / "requirements" / self.catalogue_file

    def part(self, module: str, name: str) -> Any:
        """`name` from the module `module` of the API's folder (the conventions above), imported
        when first asked for: the callers type what they get."""
        return getattr(import_module(f"{self.package}.{module}"), name)

    def has_part(self, module: str) -> bool:
        """Whether the API's folder has the (optional) module `module`."""
        return find_spec(f"{self.package}.{module}") is not None
