"""Follow-up cases: a passenger's problem that a call could not solve, owned by the agent who first took it
until it is closed (first-ask responsibility). See docs/cases.md."""
