"""Work on another core while the build goes on: a forked child process.

The child starts as a copy of the build's memory (the validated returns, the metrics), so nothing
is pickled on the way in; only its small result comes back through a pipe. Where fork is not
available (Windows), or the process already runs threads (forking those is unsafe), the work is
done in the build's own process instead, when its result is asked for: slower, the same result.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import traceback


def can_fork() -> bool:
    return ("fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
            and not os.environ.get("LADOBENCH_NO_FORK"))


def _child(conn, fn, args):
    try:
        result = ("ok", fn(*args))
    except BaseException as err:  # noqa: BLE001 - everything goes back to the parent, which raises it
        result = ("error", err, traceback.format_exc())
    _last(conn, result)


def _stream_child(conn, fn, args):
    try:
        items = fn(*args)
        while True:
            try:
                item = next(items)
            except StopIteration as stop:
                result = ("ok", stop.value)
                break
            conn.send(("item", item))
    except BaseException as err:  # noqa: BLE001 - as _child
        result = ("error", err, traceback.format_exc())
    _last(conn, result)


def _last(conn, result):
    try:
        conn.send(result)
    except Exception:  # noqa: BLE001 - an exception that cannot be pickled: send its text
        conn.send(("error", None, result[2] if result[0] == "error" else traceback.format_exc()))
    conn.close()


def _fork(target, fn, args):
    ctx = multiprocessing.get_context("fork")
    conn, child_end = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=target, args=(child_end, fn, args), daemon=True)
    try:
        proc.start()
    except BaseException:
        conn.close()
        raise
    finally:
        child_end.close()
    return conn, proc


def _raise(message):
    """An ("error", exception, traceback text) message from a child: its exception, raised here."""
    _, err, text = message
    if err is not None and not isinstance(err, (SystemExit, KeyboardInterrupt)):
        raise err
    raise RuntimeError(f"the background build process failed:\n{text}")


class Background:
    """Background(fn, *args): fn(*args) runs now in a forked process; .result() waits for it.

    Use it as a context manager so that the child is stopped if the build fails before asking.
    """

    def __init__(self, fn, *args):
        self.fn, self.args = fn, args
        self.forked = can_fork()
        if self.forked:
            try:
                self._conn, self._proc = _fork(_child, fn, args)
            except OSError:  # no memory or no process left for a fork: the work is done here instead
                self.forked = False
                return
            self.fn, self.args = None, ()  # the child has its copy: do not keep the build's data alive here

    def result(self):
        if not self.forked:
            fn, args = self.fn, self.args
            self.fn, self.args = None, ()
            return fn(*args)
        message = self._receive()
        self._proc.join()
        self._proc = None  # (it holds the work's arguments: often all of the build's data)
        if message[0] == "ok":
            return message[1]
        _raise(message)

    def _receive(self):
        try:
            return self._conn.recv()
        except EOFError:
            self._proc.join()
            code, self._proc = self._proc.exitcode, None
            raise RuntimeError(f"the background build process stopped before it finished (exit code {code})") from None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.forked and self._proc is not None:
            self._proc.terminate()
            self._proc.join()
        if self.forked:
            self._conn.close()
        return False


class Stream(Background):
    """Stream(gen, *args): the generator gen(*args) runs now in a forked process; iterating over the Stream
    gives its items as they come, and .value is what it returned, after the last.

    Without fork, the generator runs in this process, one item each time the next is asked for.
    """

    def __init__(self, gen, *args):
        self.forked, self.done, self.value = can_fork(), False, None
        if self.forked:
            try:
                self._conn, self._proc = _fork(_stream_child, gen, args)
                return
            except OSError:  # as Background
                self.forked = False
        self._items = gen(*args)

    def __iter__(self):
        return self

    def __next__(self):
        if self.done:
            raise StopIteration
        if not self.forked:
            try:
                return next(self._items)
            except StopIteration as stop:
                self.done, self.value, self._items = True, stop.value, None
                raise
        message = self._receive()
        if message[0] == "item":
            return message[1]
        self._proc.join()
        self._proc = None
        if message[0] == "ok":
            self.done, self.value = True, message[1]
            raise StopIteration
        _raise(message)

    def result(self):
        """What the generator returned, once every item left is passed over."""
        for _ in self:
            pass
        return self.value


class TwoEnds:
    """A list of n jobs worked from both ends at once: a background process from the front, the build from the back.

    Neither waits for the other: however long each spent on other work first, they meet where their
    speeds put them. Made before the Background that shares it (the forked process inherits it).
    """

    def __init__(self, n: int):
        self._ends = multiprocessing.get_context("fork").Array("q", [0, n - 1]) if can_fork() else [0, n - 1]

    def take(self, front: bool) -> int | None:
        """The next job's index, from the front or the back; None once every job is taken."""
        lock = self._ends.get_lock() if hasattr(self._ends, "get_lock") else contextlib.nullcontext()
        with lock:
            first, last = self._ends[0], self._ends[1]
            if first > last:
                return None
            if front:
                self._ends[0] = first + 1
                return first
            self._ends[1] = last - 1
            return last
