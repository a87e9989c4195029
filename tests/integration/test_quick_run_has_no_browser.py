"""``-m "not slow"`` is the run without a browser: the Chromium fixture refuses a test not marked slow."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
ROOT = Path(__file__).resolve().parents[2]


def test_a_test_that_starts_chromium_without_the_slow_marker_fails_with_the_reason(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
):
    # the inner run happens in a temporary folder: it finds the suite's conftest through the path
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    pytester.makeconftest("from tests.conftest import chromium_executable  # noqa: F401\n")
    pytester.makeini("[pytest]\nmarkers =\n    slow: the real suite's marker\n")
    pytester.makepyfile(
        """
        import pytest

        def test_unmarked(chromium_executable):
            pass

        @pytest.mark.slow
        def test_marked(chromium_executable):
            assert chromium_executable
        """
    )

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*test_unmarked starts Chromium but is not marked slow: add @pytest.mark.slow*"])
