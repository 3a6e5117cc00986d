"""The output files are written two at a time (evaluator.io.jobs, issue 11): the bytes
are those of one thread writing them in turn, and an error raised in the helper thread
reaches the user exactly as one raised in the main thread does."""
from __future__ import annotations

import errno
import threading

import pytest

from faultkit import (_cwd, case,  # noqa: F401  (fixtures)
                      assert_no_leftovers, invoke, no_traceback, snapshot)
from evaluator.io import jobs


def score(fw, data, out, *extra):
    return invoke("score", "-f", fw, "-d", data, "--out", out, *extra)


def test_two_threads_write_the_bytes_one_thread_writes(case, monkeypatch):
    tmp, fw, data = case
    assert score(fw, data, tmp / "two").exit_code == 0
    monkeypatch.setattr(jobs, "THREADS", 1)
    assert score(fw, data, tmp / "one").exit_code == 0
    one, two = snapshot(tmp / "one"), snapshot(tmp / "two")
    assert len(one) >= 8
    assert {k: v for k, v in one.items() if k != "manifest.json"} == \
        {k: v for k, v in two.items() if k != "manifest.json"}


def test_a_full_disk_in_the_writer_thread_reads_as_in_the_main_thread(case, monkeypatch):
    tmp, fw, data = case
    out = tmp / "out"
    assert score(fw, data, out).exit_code == 0
    before = snapshot(out)
    import evaluator.output as output
    real = output.write_csv
    main_writes, failed = threading.Event(), threading.Event()
    threads = []

    def fill_up(frame, path):            # the helper fails while the main thread writes
        threads.append(threading.current_thread())
        if threading.current_thread() is not threading.main_thread():
            main_writes.wait(10)
            failed.set()
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        main_writes.set()
        failed.wait(10)
        real(frame, path)
    monkeypatch.setattr(output, "write_csv", fill_up)
    res = score(fw, data, out)
    assert failed.is_set() and threading.main_thread() in threads
    assert res.exit_code == 2 and no_traceback(res.output)
    assert f"{out}: cannot write the output files (No space left on device)" in res.output
    assert "the previous outputs are unchanged" in res.output
    assert "free some space on that disk" in res.output
    assert snapshot(out) == before
    assert_no_leftovers(out)
    assert [t for t in threading.enumerate() if t.name.startswith("evaluator-writer")] == []


def test_the_first_failing_job_in_order_is_raised_and_the_others_stop(tmp_path):
    started = threading.Event()
    blocks = []

    def long_job():                      # stops at a block boundary once asked
        started.set()
        for k in range(1000):
            jobs.checkpoint()
            blocks.append(k)
            threading.Event().wait(0.01)

    def fails(message):
        def job():
            started.wait(10)
            raise PermissionError(errno.EACCES, message)
        return job

    with pytest.raises(PermissionError, match="first"):
        jobs.run_all([long_job, fails("first"), fails("second")])
    assert 0 < len(blocks) < 1000
    assert [t for t in threading.enumerate() if t.name.startswith("evaluator-writer")] == []


def test_every_job_runs_once(tmp_path):
    done = []
    lock = threading.Lock()

    def job(k):
        def run():
            with lock:
                done.append(k)
        return run
    jobs.run_all([job(k) for k in range(7)])
    assert sorted(done) == list(range(7))
    jobs.run_all([], threads=2)
    jobs.run_all([job(7)], threads=2)
    assert sorted(done) == list(range(8))
