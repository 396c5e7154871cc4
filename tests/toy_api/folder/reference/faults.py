"""The faults the toy reference server can inject: one documented behaviour broken each."""

from __future__ import annotations

from conformance.reference.faults import Fault, vacuity_fault

FAULTS: tuple[Fault, ...] = (
    Fault("no-version-header", "TOY-HEADER-001", "answers lack X-Toy-Version"),
    Fault("create-answers-200", "TOY-CREATE-001", "a create is answered 200, not 201"),
    Fault("deleted-note-found", "TOY-GET-001", "a deleted note is still answered 200"),
    Fault("nameless-note-accepted", "TOY-STATUS-001", "a note without a name is created"),
)

VACUITY_FAULTS: tuple[Fault, ...] = (
    vacuity_fault(
        "TOY-",
        "writes-refused",
        "every POST and DELETE is answered 403",
        "CREATE-001",
        "STATUS-001",
        "GET-001",
    ),
)
