"""The agent console's contract, in one place: the events the switchboard sends a console, the messages a
console sends back, the wallboard's view, and the one function that turns any of them into JSON.

The server side of the socket and the pages are in :mod:`central.web`; what the fields mean is in
docs/calls.md. Everything here is pure data: no I/O.

Modules: :mod:`.events` (switchboard to console), :mod:`.messages` (console to switchboard),
:mod:`.wallboard` (the supervisors' view) and :mod:`.wire` (JSON). They import nothing of the switchboard
but its records' figures, so the switchboard's own modules can build them.
"""
