"""Reference server of the Akamai DataStream 2 Configuration API v1, with switchable faults.

All 15 operations under /datastream-config-api/v1/log, EdgeGrid authentication, a per-client
token bucket (20 a minute unless configured) and RFC 7807 problems for every error. The
catalogue (specs/requirements/akamai.yaml) is the statement of each rule; request bodies are
checked against the spec's own schemas; the semantic rules are here.

Decisions where the seed is silent:
- Order of checks: rate limit (429), Authorization header form (401), body size (400, checked
  on Content-Length first and while reading), EdgeGrid signature (401, only when the server has
  credentials; then also client/access token and a timestamp within 5 minutes), route (404 for
  an unknown path, 405 with Allow for a wrong method), path ids, query, body (415, 400).
  Every request, 401 and 429 included, spends a token; the bucket is keyed by the header's
  client_token, or the client address when there is none.
- A non-integer streamId (or groupId in the listProperties path) is 404: no such resource.
  A non-integer or below-1 `version`, or a non-integer `groupId` query, is 400.
- listProperties and listStreams answer 403 for a groupId not in listGroups; listProperties
  answers 404 for an unknown productId and 200 [] for a known group the product doesn't have.
  createStream answers 403 for a groupId not in listGroups, 400 for an unknown product, a
  group the product lacks, unknown or taken properties, unknown or repeated data set fields.
- contractId is stored as sent (the seed's edit sample uses a contract no group has).
- productId is optional on create (Akamai's own clients never send it, ERRATUM-AKAMAI-129): the
  product is the one whose properties in the group include the first propertyId. An edit's
  `"groupId": null` (what Akamai's Go client sends) means "not given" (ERRATUM-AKAMAI-130).
  A repeated propertyId names one property and is stored once (ERRATUM-AKAMAI-133).
- An edit may not change groupId or productId (400); without `connectors` it keeps the current
  connector (and its connectorId), with them it gets a new connector. `activateNow` on an edit
  is ignored (ERRATUM-AKAMAI-124): the new version inherits its base version's state; an edit
  of an active stream pushes the new version (ACTIVATING, then ACTIVATED) and records an
  isActive=true activation history entry for it.
- A version never activated is DEACTIVATED. Superseded versions keep their own state.
- activateStream of a stream that is ACTIVATED or ACTIVATING is 400, and so is
  deactivateStream of one that is DEACTIVATED or DEACTIVATING (never activated included):
  activation history records changes, and the catalogue only promises 202 for the change.
- deleteStream works in any state (the seed's procedure deactivates first, but cleanup after a
  crash should not have to wait for a deactivation); afterwards every /streams/{id} operation
  answers 404 and the stream's properties are free again.
- listStreams, history and activationHistory are newest first, as the seed's samples.
- createdBy/modifiedBy are "dsconform"; stream and connector ids start at 1001 and 8601.
- Each connector is validated against its own type's schema (chosen by connectorType, from the
  spec's discriminator) so problems name the real member; the Datadog url's `format: uri` is
  checked here because jsonschema skips it without the rfc3987 package.
- Data set fields 2001-2010, absent from the operation's sample, join the sample's groups
  (2001, 2006, 2007: Network performance data; the others: Message exchange data).
- Properties: the seed's seven sample properties (Download_Delivery, group 21484, where the
  seed's create sample needs them) plus 10 synthetic ones per product/group pair (60).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.routing import request_response

from conformance.reference.akamai.lookups import Lookups
from conformance.reference.akamai.records import Records
from conformance.reference.akamai.rendering import Renderer
from conformance.reference.akamai.state import AkamaiState
from conformance.reference.akamai.streams import Streams
from conformance.reference.akamai.transport import Handler, Routes, Transport
from conformance.reference.akamai.validation import Validator
from conformance.reference.config import ReferenceConfig

__all__ = ["create_app"]


def routes(lookups: Lookups, streams: Streams) -> Routes:
    """(path pattern below the base path, {method: handler}); one entry per path of the spec.
    The order of the methods is the order of the 405 answer's Allow header."""
    table: tuple[tuple[str, dict[str, Handler]], ...] = (
        (
            r"/properties/product/(?P<product_id>[^/]+)/group/(?P<group_id>[^/]+)",
            {"GET": lookups.list_properties},
        ),
        (r"/connectors", {"GET": lookups.list_connector_types}),
        (r"/datasets/template/(?P<template_name>[^/]+)", {"GET": lookups.list_dataset_fields}),
        (r"/groups", {"GET": lookups.list_groups}),
        (r"/products", {"GET": lookups.list_products}),
        (r"/streamTypes", {"GET": lookups.list_stream_types}),
        (r"/streams", {"GET": streams.list_streams, "POST": streams.create_stream}),
        (
            r"/streams/(?P<stream_id>[^/]+)",
            {
                "GET": streams.get_stream,
                "PUT": streams.edit_stream,
                "DELETE": streams.delete_stream,
            },
        ),
        (r"/streams/(?P<stream_id>[^/]+)/activationHistory", {"GET": streams.activation_history}),
        (r"/streams/(?P<stream_id>[^/]+)/activate", {"PUT": streams.activate_stream}),
        (r"/streams/(?P<stream_id>[^/]+)/deactivate", {"PUT": streams.deactivate_stream}),
        (r"/streams/(?P<stream_id>[^/]+)/history", {"GET": streams.stream_history}),
    )
    return tuple((re.compile(pattern), methods) for pattern, methods in table)


class AkamaiReference:
    """One server instance: its state and the parts that serve it."""

    def __init__(self, config: ReferenceConfig, *, clock: Callable[[], float] = time.time) -> None:
        self.state = AkamaiState(config, clock=clock)
        self.render = Renderer(self.state)
        self.lookups = Lookups(self.state, self.render)
        self.streams = Streams(self.state, self.render, Validator(self.state), Records(self.state))
        self.transport = Transport(self.state, self.render, routes(self.lookups, self.streams))


def create_app(config: ReferenceConfig) -> Starlette:
    """The Akamai reference app for `config` (raises UnknownFaultError for unknown faults)."""
    reference = AkamaiReference(config)
    app = Starlette()
    # Own dispatch for every path and method: Starlette's `{path:path}` regex stops at a
    # newline (%0A), and its own 404 would be text/plain without the rate-limit headers.
    app.router.default = request_response(reference.transport.endpoint)
    app.state.reference = reference
    return app
