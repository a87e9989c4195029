"""The demo: the whole system on one machine with nothing to configure."""
