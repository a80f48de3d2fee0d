"""Worker processes for untrusted files: a dying, hanging or greedy reader is held."""

import os
import time

from iku_xl.sandbox import Failure, run_isolated


def behave(item):
    if item == "crash":
        os._exit(3)
    if item == "hang":
        time.sleep(60)
    if item == "greedy":
        return len(bytearray(8 << 30))
    return item.upper()


def test_results_come_back_for_every_item():
    results = dict(run_isolated(behave, ["a", "b", "c"], workers=2))
    assert results == {0: "A", 1: "B", 2: "C"}


def test_a_worker_that_dies_is_reported_and_the_rest_still_run():
    results = dict(run_isolated(behave, ["a", "crash", "b"], workers=1))
    assert results[0] == "A" and results[2] == "B"
    assert isinstance(results[1], Failure) and results[1].crashed


def test_a_worker_that_hangs_is_stopped_after_its_time():
    start = time.monotonic()
    results = dict(run_isolated(behave, ["hang", "a"], workers=2, timeout=2))
    assert results[1] == "A"
    assert isinstance(results[0], Failure) and results[0].timed_out
    assert time.monotonic() - start < 20


def test_a_worker_that_asks_for_too_much_memory_fails_alone():
    results = dict(run_isolated(behave, ["greedy", "a"], workers=1, memory=256 << 20))
    assert results[1] == "A"
    assert isinstance(results[0], Failure)
