"""Benchmarks run by hand on the target hardware (``python -m bench.<name>``); not part of the test suite."""
