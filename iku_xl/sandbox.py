"""Run a function over untrusted inputs in worker processes that may die or hang.

Some readers abort the whole process on a malformed file (an allocation failure in a
native library cannot be caught), and a hostile file can make a parser run for ever.
Each item is therefore handled in a worker process with a memory ceiling and a time
limit; a worker that dies or overruns is replaced, and its item reported as a Failure.
"""

from __future__ import annotations

import faulthandler
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 120.0  # seconds one item may take
DEFAULT_MEMORY = 1 << 30  # bytes of address space a worker may add to what it inherits
POLL_SECONDS = 1.0


@dataclass(frozen=True)
class Failure:
    """An item whose worker died (``crashed``) or overran its time (``timed_out``)."""

    crashed: bool
    timed_out: bool
    detail: str = ""


def run_isolated(
    function: Callable[[Any], Any],
    items: Iterable[Any],
    workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    memory: int = DEFAULT_MEMORY,
    preload: tuple[str, ...] = (),
) -> Iterator[tuple[int, Any]]:
    """Yield (index, result or Failure) for every item, in the order they finish.

    ``preload`` names modules the workers need, imported once in the process they
    start from rather than in every worker.
    """
    queue = deque(enumerate(items))
    count = max(1, min(workers or os.cpu_count() or 1, len(queue)))
    context = _context(preload)
    idle: list[_Worker] = []
    busy: dict[Connection, tuple[_Worker, int, float]] = {}

    def assign(worker: _Worker) -> None:
        index, item = queue.popleft()
        worker.connection.send(item)
        busy[worker.connection] = (worker, index, time.monotonic())

    try:
        while queue or busy:
            while queue and len(busy) < count:
                assign(idle.pop() if idle else _Worker(context, function, memory))
            ready = wait(
                [*busy, *(w.process.sentinel for w, _, _ in busy.values())],
                timeout=POLL_SECONDS,
            )
            now = time.monotonic()
            for connection, (worker, index, started) in list(busy.items()):
                answer = _receive(connection) if connection in ready else None
                if answer is not None:
                    del busy[connection]
                    yield index, answer[0]
                    idle.append(worker)
                elif connection in ready or not worker.process.is_alive():
                    del busy[connection]
                    worker.close()
                    log.info(
                        "worker died on item %d (exit %s)",
                        index,
                        worker.process.exitcode,
                    )
                    yield (
                        index,
                        Failure(
                            crashed=True,
                            timed_out=False,
                            detail=f"exit {worker.process.exitcode}",
                        ),
                    )
                elif now - started > timeout:
                    del busy[connection]
                    worker.close()
                    yield index, Failure(crashed=False, timed_out=True)
    finally:
        for worker in [*idle, *(w for w, _, _ in busy.values())]:
            worker.close()


def _context(preload: tuple[str, ...]):
    # A fork of the caller starts at once with everything imported, but is safe only
    # while the caller runs a single thread (another thread may hold a lock the child
    # would inherit locked). Otherwise workers start from a clean server process, or
    # are spawned where there is none.
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))
    return context


class _Worker:
    """One worker process and the pipe to it."""

    def __init__(self, context, function: Callable[[Any], Any], memory: int) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child, function, memory), daemon=True
        )
        self.process.start()
        child.close()

    def close(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


def _receive(connection: Connection) -> tuple[Any] | None:
    """The worker's answer (a 1-tuple), or None when the pipe closed as it died."""
    try:
        return connection.recv()
    except (EOFError, OSError):
        return None


def _serve(connection: Connection, function: Callable[[Any], Any], memory: int) -> None:
    _limit_memory(memory)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the caller's to handle
    # A native reader that aborts writes its last words to the terminal (Rust prints
    # "memory allocation of ... failed"): staff are told by the caller instead.
    _silence_stderr()
    # What a reader leaves half-closed on a damaged file must not print a traceback.
    sys.unraisablehook = lambda unraisable: log.debug(
        "ignored: %r", unraisable.exc_value
    )
    while True:
        try:
            item = connection.recv()
        except EOFError:
            return
        try:
            result = function(item)
        except MemoryError:
            result = Failure(crashed=True, timed_out=False, detail="MemoryError")
        connection.send((result,))


def _silence_stderr() -> None:
    faulthandler.disable()  # a forked worker inherits its caller's (pytest's, say)
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        log.debug("stderr of a worker stays open")


def _limit_memory(extra: int) -> None:
    # Linux only (the size is read from /proc); elsewhere a worker has no ceiling but
    # still cannot take the caller down with it.
    try:
        import resource
    except ImportError:
        return
    current = _address_space()
    if current is None:
        return
    limit = current + extra
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _address_space() -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None
