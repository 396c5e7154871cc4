"""A user's own pytest suite can gate on dsconform, one test per requirement."""

from __future__ import annotations

import pytest


def test_plugin_reports_each_requirement(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_gate="""
        from conformance.pytest_plugin import conformance_tests

        test_azion = conformance_tests("azion")
    """
    )
    result = pytester.runpytest_subprocess(
        "--dsconform-phases=property",
        "--dsconform-max-examples=2",
        "-p",
        "no:cacheprovider",
        "-q",
        "-rs",
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) > 5
    assert outcomes.get("skipped", 0) > 0  # untested and not-observable requirements
    assert "failed" not in outcomes
    result.stdout.fnmatch_lines(["*not observable by a black-box client*"])


def test_plugin_fails_a_requirement_the_target_breaks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_gate="""
        from conformance.pytest_plugin import conformance_tests

        test_azion = conformance_tests("azion")
    """
    )
    pytester.makeconftest("""
        import pytest
        from conformance.settings import RunSettings
        import conformance.pytest_plugin as plugin

        original = plugin._settings

        def with_fault(config, api, default_dir):
            import dataclasses
            return dataclasses.replace(original(config, api, default_dir),
                                       faults=("schema-version-2",))

        plugin._settings = with_fault
    """)
    result = pytester.runpytest_subprocess(
        "--dsconform-phases=property",
        "--dsconform-max-examples=2",
        "-p",
        "no:cacheprovider",
        "-q",
    )
    result.stdout.fnmatch_lines(["*FAILED*AZION-ENVELOPE-002*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED
