"""Run one parse in a child process whose limits are enforced by killing it.

A hostile file (20 MB of XML in a 2 MB .docx, a PDF whose layout explodes) must cost at most
its limits, then be gone. A thread cannot be stopped, so each parse runs in its own child
process, forked from a ``forkserver`` that imported the parsers once (:mod:`ingest.parse_warm`
is preloaded): a fork costs milliseconds and starts warm. The limits, per file:

- **wall time** — the parent waits at most ``wall_s`` for the result, then SIGKILLs the child;
- **CPU time** — ``RLIMIT_CPU`` in the child: the kernel kills it at the limit, even if its
  parent is gone (so an orphaned parse is bounded too);
- **memory** — ``RLIMIT_AS`` in the child: an allocation over it fails (``MemoryError``, sent
  back as a clean error) or the child dies; either way the file fails with a message that
  names it and the limit.

The result (or the child's ``KMSError``) comes back pickled over a pipe; a child that died
without answering is reported by its exit signal. The child is always reaped before return.

**The caller's ``__main__`` is not re-run in the child.** Python 3.11's forkserver has every
child import the parent's main script again (the preload of ``__main__`` has been dead code
since 3.4: CPython gh-126631 / gh-137996, fixed in 3.13 only). A parse needs nothing from the
caller's main — its work and arguments are module-level functions of the product — so the
child is launched without the main-module entries of its preparation data. Measured: a
program whose main imports the search services paid 0.9 s more per parsed file (idle
machine), about 2 s under load; the ``kms`` CLI 35 ms.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import resource
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerProcess, set_spawning_popen
from typing import Any, TypeVar

from kms.core.errors import KMSError, ParseError

T = TypeVar("T")

WARM_MODULE = "ingest.parse_warm"
DEADLINE, DIED = "deadline", "died"


@dataclass(frozen=True)
class Limits:
    wall_s: float
    cpu_s: float
    memory_mb: int


def run_limited(work: Callable[..., T], args: tuple[Any, ...], limits: Limits, name: str) -> T:
    """``work(*args)`` in a limited child process; its ``KMSError`` is raised here as is, and
    any limit it hits becomes a ``ParseError`` naming ``name`` (the file)."""
    receiver, sender = _context().Pipe(duplex=False)
    child = _ParseProcess(
        target=_child_main, args=(sender, work, args, limits), name=f"kms-parse:{name}"
    )
    child.start()
    sender.close()  # the parent keeps only its end: EOF once the child is gone
    try:
        status, value = _wait(receiver, child, limits.wall_s)
    finally:
        receiver.close()
        _reap(child)
    if status == "ok":
        return value
    if status == "error":
        raise value
    raise _limit_error(name, None if status == DEADLINE else child.exitcode, limits)


def _context() -> Any:
    """The forkserver context, with the parsers preloaded in the server (set once, before it
    starts)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([WARM_MODULE])
    return context


class _WithoutMain(popen_forkserver.Popen):
    """The forkserver's launch (CPython 3.11's ``popen_forkserver.Popen._launch``, which
    ``requires-python`` pins), minus the entries that make the child re-run ``__main__``."""

    def _launch(self, process_obj: Any) -> None:
        prep_data = {
            key: value
            for key, value in spawn.get_preparation_data(process_obj._name).items()
            if key not in ("init_main_from_name", "init_main_from_path")
        }
        buf = io.BytesIO()
        set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)  # type: ignore[attr-defined]
        _parent_w = os.dup(w)  # the child's sentinel of its parent, as the stdlib keeps it
        close_fds = util.close_fds  # type: ignore[attr-defined]
        self.finalizer = util.Finalize(self, close_fds, (_parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _ParseProcess(ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> Any:
        _context()  # the preload is set before the server starts
        return _WithoutMain(process_obj)


def _wait(receiver: Connection, child: Any, wall_s: float) -> tuple[str, Any]:
    """The child's answer — ("ok", result) or ("error", KMSError) — or (DEADLINE, None) when
    it did not answer in time, or (DIED, None) when it ended without answering."""
    deadline = time.monotonic() + wall_s
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return DEADLINE, None
        if receiver.poll(min(remaining, 0.5)):
            try:
                answer: tuple[str, Any] = receiver.recv()
                return answer
            except EOFError:
                return DIED, None
        if not child.is_alive() and not receiver.poll(0):
            return DIED, None


def _reap(child: Any) -> None:
    if child.is_alive():
        child.kill()
    child.join()


def _limit_error(name: str, exitcode: int | None, limits: Limits) -> ParseError:
    if exitcode is None:  # still running at the deadline: killed by us
        message, reason = f"parsing took longer than {limits.wall_s:g} s", "timeout"
    elif exitcode in (-signal.SIGXCPU, -signal.SIGKILL):  # the kernel's CPU limit
        message, reason = f"parsing used more than {limits.cpu_s:g} s of CPU time", "cpu_limit"
    else:
        message, reason = f"the parser died (exit code {exitcode})", "crashed"
    detail = {"file": name, "reason": reason}
    return ParseError(f"{name}: {message}", detail=detail)


def _child_main(sender: Connection, work: Callable[..., Any], args: tuple, limits: Limits) -> None:
    """In the child: set the limits, run, send back ("ok", result) or ("error", KMSError)."""
    _set_limits(limits)
    try:
        outcome: tuple[str, Any] = ("ok", work(*args))
    except KMSError as exc:
        # a C library may report a failed allocation as its own error (lxml: XMLSyntaxError)
        outcome = ("error", _memory_error(args, limits) if _at_memory_limit(limits) else exc)
    except MemoryError:
        outcome = ("error", _memory_error(args, limits))
    except Exception as exc:  # the work's own errors should be KMSErrors; never a silent death
        name = getattr(args[0], "name", "file") if args else "file"
        detail = {"file": name, "reason": "crashed", "error": str(exc)[:300]}
        outcome = ("error", ParseError(f"{name}: parsing failed ({type(exc).__name__})", detail))
    try:
        sender.send(outcome)
    except MemoryError:
        sender.send(("error", _memory_error(args, limits)))
    finally:
        sender.close()


def _set_limits(limits: Limits) -> None:
    cpu = max(1, int(limits.cpu_s + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))  # SIGXCPU, then SIGKILL
    memory = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def _at_memory_limit(limits: Limits) -> bool:
    """Did this process's address space reach its limit (within 64 MB)?"""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            peak = next(int(line.split()[1]) for line in status if line.startswith("VmPeak:"))
    except (OSError, StopIteration, ValueError):
        return False
    return peak * 1024 >= (limits.memory_mb - 64) * 1024 * 1024


def _memory_error(args: tuple, limits: Limits) -> ParseError:
    name = getattr(args[0], "name", str(args[0])) if args else "file"
    return ParseError(
        f"{name}: parsing needs more than {limits.memory_mb} MB of memory",
        detail={"file": name, "reason": "memory_limit"},
    )
