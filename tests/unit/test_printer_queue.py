"""The job queue: in order, across restarts, expiring, and intact when the disk is full."""

from __future__ import annotations

import pytest

from kiosk.printing.queue import JobQueue, JobState, QueueFull


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_jobs_come_out_in_the_order_they_went_in_and_survive_a_reopen(tmp_path):
    queue = JobQueue(tmp_path / "jobs.sqlite3")
    added = [queue.add("queue_ticket", {"number": str(n)}, 600) for n in range(5)]
    queue.finish(added[1], JobState.DONE)
    queue.close()
    reopened = JobQueue(tmp_path / "jobs.sqlite3")
    assert [job.id for job in reopened.pending()] == [added[n].id for n in (0, 2, 3, 4)]
    assert reopened.next().slip == {"number": "0"}
    assert reopened.get(added[1].id).state is JobState.DONE
    reopened.close()


def test_a_job_past_its_time_expires_once(tmp_path):
    clock = Clock()
    queue = JobQueue(tmp_path / "jobs.sqlite3", clock=clock)
    early = queue.add("agent", {}, 60)
    late = queue.add("agent", {}, 600)
    clock.now += 61
    assert [job.id for job in queue.expire()] == [early.id]
    assert queue.expire() == []
    assert [job.id for job in queue.pending()] == [late.id]
    assert queue.get(early.id).state is JobState.EXPIRED
    queue.close()


def test_a_finished_job_cannot_be_finished_again(tmp_path):
    queue = JobQueue(tmp_path / "jobs.sqlite3")
    job = queue.add("agent", {}, 60)
    queue.finish(job, JobState.DONE)
    queue.finish(job, JobState.FAILED, "late")
    assert queue.get(job.id).state is JobState.DONE
    queue.close()


def test_a_full_disk_refuses_the_new_job_and_keeps_the_stored_ones(tmp_path):
    queue = JobQueue(tmp_path / "jobs.sqlite3", max_bytes=64 * 1024)
    stored = []
    with pytest.raises(QueueFull, match="could not store the print job: database or disk is full"):
        for n in range(10_000):
            stored.append(queue.add("agent", {"text": f"{n} " + "x" * 2000}, 600))
    assert len(stored) > 3
    assert [job.id for job in queue.pending()] == [job.id for job in stored]
    queue.finish(stored[0], JobState.DONE)  # the queue still works: finishing frees nothing but is allowed
    assert queue.count_pending() == len(stored) - 1
    queue.close()
    reopened = JobQueue(tmp_path / "jobs.sqlite3")
    assert reopened.count_pending() == len(stored) - 1
    reopened.close()
