"""The job queue against a model, over random orders of add, finish, expire and reopen (hypothesis)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from kiosk.printing.queue import JobQueue, JobState


class QueueMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.path = Path(self.folder.name) / "jobs.sqlite3"
        self.now = 1_800_000_000.0
        self.queue = JobQueue(self.path, clock=lambda: self.now)
        self.pending: list[tuple[str, float]] = []  # (id, expires) in submission order
        self.finished: dict[str, JobState] = {}

    @rule(lifetime=st.integers(min_value=10, max_value=1000))
    def add(self, lifetime):
        job = self.queue.add("queue_ticket", {"n": len(self.pending)}, lifetime)
        self.pending.append((job.id, job.expires))

    @precondition(lambda self: self.pending)
    @rule(done=st.booleans())
    def print_the_next(self, done):
        job = self.queue.next()
        assert job is not None and job.id == self.pending[0][0]
        state = JobState.DONE if done else JobState.FAILED
        self.queue.finish(job, state)
        self.finished[job.id] = state
        self.pending.pop(0)

    @rule(seconds=st.integers(min_value=0, max_value=600))
    def time_passes(self, seconds):
        self.now += seconds
        expired = [job.id for job in self.queue.expire()]
        model = [job_id for job_id, expires in self.pending if expires <= self.now]
        assert expired == model
        self.pending = [(job_id, expires) for job_id, expires in self.pending if expires > self.now]
        self.finished.update(dict.fromkeys(expired, JobState.EXPIRED))

    @rule()
    def restart(self):
        self.queue.close()
        self.queue = JobQueue(self.path, clock=lambda: self.now)

    @invariant()
    def pending_jobs_are_the_model_in_order(self):
        assert [job.id for job in self.queue.pending()] == [job_id for job_id, _ in self.pending]
        assert self.queue.count_pending() == len(self.pending)

    @invariant()
    def finished_jobs_stay_finished(self):
        for job_id, state in list(self.finished.items())[-5:]:
            assert self.queue.get(job_id).state is state

    def teardown(self):
        self.queue.close()
        self.folder.cleanup()


QueueMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
test_the_queue_behaves_like_its_model = QueueMachine.TestCase
