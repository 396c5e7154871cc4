"""`junit.xml`: one test case per requirement, so CI shows requirement-level results.

passed -> a plain test case; failed -> `<failure>`; error (the suite broke) -> `<error>`;
untested -> `<skipped>` with the reason. A deviation (failed, but the failure policy does not
count it, issue 12) -> `<skipped>` saying so, its findings in `<system-out>`; under a policy
that counts it, it is an ordinary failure.

A test case is named by its requirement ID (stable across catalogue edits) and grouped
(classname) by API and seed section; the statement, level and basis are its properties and
open every failure message. Its `time` is the target's answer time summed over the exchanges
the requirement's observations judged (`seconds` in report.json: an exchange judged for three
requirements counts for each, so the cases add up to more than the run); the suite's `time` is
the run's wall time.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from conformance.reporting.model import Finding, Report, RequirementEntry

# Characters XML 1.0 cannot carry, even escaped (response bodies may hold anything).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
MAX_BODY = 800


def _clean(text: Any) -> str:
    """`text` as XML 1.0 can carry it (ElementTree escapes `<`, `&` and quotes; characters no
    escape can carry, like NUL, other C0 controls and lone surrogates, become U+FFFD)."""
    return _NOT_XML.sub("\ufffd", str(text))


def _flat(text: Any) -> str:
    return " ".join(_clean(text).split())


def _seconds(report: Report) -> str:
    try:
        started = datetime.fromisoformat(report.started_at)
        finished = datetime.fromisoformat(report.finished_at)
    except ValueError:
        return "0"
    return f"{max((finished - started).total_seconds(), 0.0):.3f}"


def _finding_text(finding: Finding) -> str:
    lines = [finding.message]
    where = f"{finding.phase} phase, check {finding.check}"
    if finding.operation:
        where += f", operation {finding.operation}"
    lines.append(f"  ({where})")
    request = finding.request
    response = finding.response
    if request:
        lines.append(f"  request: {request.method.upper()} {request.url}")
    if response:
        body = response.body
        if len(body) > MAX_BODY:
            body = body[:MAX_BODY] + " …"
        lines.append(f"  response: {response.status} {body}".rstrip())
    return "\n".join(lines)


def _details(requirement: RequirementEntry) -> str:
    source = requirement.source
    basis = f", {requirement.basis}" if requirement.basis else ""
    lines = [
        f"{requirement.id} ({requirement.level}{basis}): {requirement.statement}",
        f"seed {source.file}, section {source.section!r}: {source.quote!r}",
        f"{requirement.failures} failing and {requirement.passes} passing observations",
        "",
    ]
    lines += [_finding_text(f) for f in requirement.findings]
    return _clean("\n".join(lines))


def _suite(report: Report) -> ET.Element:
    api = _flat(report.api)
    suite = _suite_element(report)
    for requirement in report.requirements:
        _case(suite, api, requirement, report.fail_on)
    return suite


def _suite_element(report: Report) -> ET.Element:
    """The `<testsuite>` of one report: its counts and its properties, no test case yet."""
    requirements = report.requirements
    counts = {
        s: sum(1 for r in requirements if r.status == s)
        for s in ("passed", "failed", "untested", "error")
    }
    deviations = sum(1 for r in requirements if r.deviation)
    counts["failed"] -= deviations
    counts["untested"] += deviations
    suite = ET.Element(
        "testsuite",
        {
            "name": f"dsconform {_flat(report.api)}",
            "tests": str(len(requirements)),
            "failures": str(counts["failed"]),
            "errors": str(counts["error"]),
            "skipped": str(counts["untested"]),
            "time": _seconds(report),
            "timestamp": _flat(report.started_at),
        },
    )
    properties = ET.SubElement(suite, "properties")
    target = report.target
    for name, value in (
        ("verdict", report.verdict),
        ("target", target.base_url),
        ("faults", ",".join(target.faults or ())),
        ("tool", report.tool),
        ("requests", report.requests.total),
        ("aborted", report.aborted or ""),
        ("fail_on", report.fail_on or ""),
        ("deviations", ",".join(report.deviations or ())),
        ("incomplete", report.incomplete or ""),
    ):
        ET.SubElement(properties, "property", {"name": name, "value": _flat(value)})
    return suite


def _case(suite: ET.Element, api: str, requirement: RequirementEntry, fail_on: str | None) -> None:
    """One requirement's `<testcase>`, with its properties and its outcome."""
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "classname": _flat(f"{api}.{requirement.source.section}"),
            "name": _flat(requirement.id),
            "time": f"{max(float(requirement.seconds or 0.0), 0.0):.3f}",
        },
    )
    case_properties = ET.SubElement(case, "properties")
    for name, value in (
        ("statement", _flat(requirement.statement)),
        ("level", requirement.level),
        ("basis", requirement.basis or ""),
        ("status", requirement.status),
    ):
        ET.SubElement(case_properties, "property", {"name": name, "value": _flat(value)})
    _outcome(case, requirement, fail_on)


def _outcome(case: ET.Element, requirement: RequirementEntry, fail_on: str | None) -> None:
    """`<failure>`, `<error>` or `<skipped>` as the requirement's status (and policy) says."""
    status = requirement.status
    statement = _flat(requirement.statement)
    findings = requirement.findings
    first = _flat(findings[0].message) if findings else ""
    said = f"{requirement.level}: {statement}"
    if status == "failed" and requirement.deviation:
        policy = fail_on or "explicit"
        basis = requirement.basis or ""
        ET.SubElement(
            case,
            "skipped",
            {
                "message": _flat(
                    f"deviation ({basis} {requirement.level}; not counted under "
                    f"--fail-on {policy}): {statement} — {first or 'requirement failed'}"
                )
            },
        )
        ET.SubElement(case, "system-out").text = _details(requirement)
    elif status == "failed":
        element = ET.SubElement(
            case,
            "failure",
            {
                "message": _flat(f"{said} — {first or 'requirement failed'}"),
                "type": _flat(findings[0].kind) if findings else "failed",
            },
        )
        element.text = _details(requirement)
    elif status == "error":
        element = ET.SubElement(
            case,
            "error",
            {"message": _flat(f"{said} — {first or 'the suite broke'}"), "type": "suite-error"},
        )
        element.text = _details(requirement)
    elif status == "untested":
        reason = requirement.reason or "no check or scenario observed it in this run"
        why = requirement.untested
        label = f"untested ({why})" if why else "untested"
        ET.SubElement(case, "skipped", {"message": _flat(f"{label}: {reason}")})


def render_junit(reports: Sequence[Report]) -> str:
    """JUnit XML for one report, or several (one `<testsuite>` per API)."""
    suites = [_suite(report) for report in reports]
    root = ET.Element("testsuites", {"name": "dsconform"})
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in suites)))
    root.set("time", f"{sum(float(s.get('time', '0')) for s in suites):.3f}")
    root.extend(suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
