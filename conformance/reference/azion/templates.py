"""The Azion template operations: listTemplates and getTemplate (the global templates; a
customized one is never shown)."""

from __future__ import annotations

import copy

from starlette.requests import Request
from starlette.responses import Response

from conformance.reference.azion.rendering import Renderer
from conformance.reference.azion.state import AzionState
from conformance.reference.azion.transport import Gates


class Templates:
    """Handlers of the template operations."""

    def __init__(self, state: AzionState, render: Renderer, gates: Gates) -> None:
        self.state = state
        self.fault = state.fault
        self.render = render
        self.gates = gates

    async def templates(self, request: Request) -> Response:
        """GET /data_streaming/templates (listTemplates)."""
        refused = self.gates.gate(request)
        if refused is not None:
            return refused
        with self.state.store.lock:
            listed = list(self.state.store.global_templates.values())
            if self.fault("custom-templates-listed"):
                listed.extend(self.state.store.custom_templates.values())
            shown = [copy.deepcopy(t) for t in listed]
        if self.fault("template-list-missing-model"):
            for template in shown:
                template.pop("template_model", None)
        return self.render.success(shown)

    async def template(self, request: Request) -> Response:
        """GET /data_streaming/templates/{id} (getTemplate)."""
        path_id = self.gates.path_id(request)
        if isinstance(path_id, Response):
            return path_id
        refused = self.gates.gate(request)
        if refused is not None:
            return refused
        template_id = 86 if self.fault("get-template-wrong-id") else path_id
        with self.state.store.lock:
            template = copy.deepcopy(self.state.store.global_templates.get(template_id))
        if template is None:
            if self.fault("unknown-template-500"):
                return self.render.internal_error()
            return self.render.not_found()
        return self.render.success(template)
