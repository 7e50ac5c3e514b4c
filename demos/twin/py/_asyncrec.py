"""The recorder asyncdemo runs Python under: one for the twins and for explain.

A RecordingLoop is CPython's own SelectorEventLoop that also tells a Sink
what its tasks do: each task as it is made (and by which task), each step
the loop runs (a callback: a task's step or wake-up, a timer, an I/O
callback), when that step became ready and when it ran, and how each task
ended. It sees them through the loop's ready queue (loop._ready), which it
replaces with a deque that notes each callback as it is queued and as it is
taken to run. It adds no callback, changes no order and prints nothing.

Two sinks use it:

  * the twins' Recorder (_asyncdemo.py): with --spans each task is a bar of
    --vs python's timeline, from its creation to its end; with
    --virtual-time the loop runs on a VirtualClock (see _asyncdemo.py);
  * asyncdemo explain: explain_main() runs a learner's program, unchanged,
    under an Explainer, which writes what the loops did to asyncdemo on a
    file descriptor of its own (the protocol is at Explainer).

The loop leans on two private names of asyncio, the same from Python 3.11 to
3.13: loop._ready (a deque that _run_once pops with popleft) and
loop._selector (whose select starts each turn).
"""

import asyncio
import atexit
import collections
import functools
import gc
import heapq
import io
import itertools
import json
import linecache
import math
import os
import re
import selectors
import signal
import site
import struct
import sys
import sysconfig
import threading
import time
import types
import warnings
import weakref
from asyncio import events
from concurrent.futures import ThreadPoolExecutor

_TASKS = (asyncio.Task, asyncio.tasks._PyTask)
_monotonic = time.monotonic
# An object's identity, as a dict key that does not keep it alive: its
# address, as id() gives it, but without id()'s audit event ("builtins.id"),
# which explain's audit hook would see at every step of the loop.
_key = object.__hash__
_FUTURES = (asyncio.Future, asyncio.futures._PyFuture)
_TimerHandle = asyncio.TimerHandle
_popleft = collections.deque.popleft
_append = collections.deque.append
_ids = itertools.count(1)  # task ids, unique across loops
# A record of the loop's (see Explainer): six little-endian float64, packed
# as it is made. (array("d").extend of a tuple costs twice as much, and a
# loop makes several records a task.)
_record = struct.Struct("<6d").pack
_set_float = struct.Struct("<d").pack_into
_FLUSH_AT = 48 * 4096  # the records a loop keeps before it sends them
_DEFAULT_NAME = re.compile(r"Task-(\d+)")


class Sink:
    """What a RecordingLoop tells. Every method is called on the loop's
    thread, at the time t of the sink's clock (a RecordingLoop's clock)."""

    slow = math.inf  # a step at least this long (seconds) is reported to slow_step
    steps = False    # whether the loop keeps a record of every step (flush_steps)
    awaits = False   # whether to tell awaiting and cancel_pending

    def task_created(self, loop, task, tid, parent, t):
        """task (id tid) was made, by task parent (0: by no task)."""

    def task_ended(self, loop, task, tid, t):
        """task (id tid) is done: finished, failed or cancelled."""

    def slow_step(self, loop, handle, task, tid, ready, start, end):
        """A step ran from start to end, at least slow seconds; task is the
        task it was a step of (None for a callback of no task)."""

    def flush_steps(self, loop, records):
        """records, a bytearray, holds the loop's latest records (see
        Explainer); the loop clears it afterwards."""

    def awaiting(self, loop, task, t):
        """The loop has nothing to run and waits (for I/O or a timer); task
        is the task whose step ran last, pending."""

    def cancel_pending(self, loop, task, tid, t):
        """A step of task ended with a cancellation requested (by
        task.cancel(), not undone by task.uncancel()) and the task not done."""

    def nested_run(self, loop, how, frame):
        """A loop is about to refuse to run because one runs already in this
        thread (asyncio.run inside a coroutine): how says which call, frame
        is its caller's."""

    def exception(self, loop, context):
        """The loop is about to log context (call_exception_handler)."""

    def running(self, loop, running):
        """The loop starts (running True) or stops running."""


def task_label(task):
    """A task's name; for asyncio's default "Task-N", its coroutine's name."""
    name = task.get_name()
    if _DEFAULT_NAME.fullmatch(name) and task.get_coro() is not None:
        return getattr(task.get_coro(), "__qualname__", name)
    return name


def task_state(task):
    """How a done task ended: done, cancelled or error. (It reads the
    exception without retrieving it, which task.exception() would do: that
    would silence asyncio's "Task exception was never retrieved".)"""
    if task.cancelled():
        return "cancelled"
    return "error" if task._exception is not None else "done"


def task_who(task):
    """A task as explain names it: its name and its coroutine's function,
    "Task-2 fetch" (just the name when the two are the same)."""
    name = task.get_name()
    coro = task.get_coro()
    fn = getattr(coro, "__qualname__", "") or ""
    fn = fn.rsplit("<locals>.", 1)[-1]
    return name if fn in ("", name) else f"{name} {fn}"


class _Ready(collections.deque):
    """The loop's ready queue. It keeps, beside each callback, when it
    became ready, and sees the loop take each one to run: a step runs from
    one popleft to the next, or to the start of the loop's next turn (its
    select), or to the end of run_forever."""

    __slots__ = ("loop", "sink", "clock", "times", "ids", "cur", "task", "tid", "ready", "start",
                 "busy", "idle", "longest", "longest_id", "buf", "last", "last_tid", "last_end", "slow",
                 "samples", "thread", "lt", "aw", "woke")

    def __init__(self, loop, sink, clock):
        super().__init__()
        self.loop, self.sink, self.clock = loop, sink, clock
        self.times = collections.deque()  # when each callback became ready, in step with the queue
        self.ids = {}                     # _key(task) -> its id, for tasks not yet ended
        self.cur = self.task = None       # the callback running, and its task
        self.tid = 0                      # that task's id (0: none, or a task not recorded)
        self.ready = self.start = 0.0
        self.busy = 0.0                   # seconds spent running callbacks
        self.idle = 0.0                   # seconds spent waiting for I/O or a timer
        self.woke = 0.0                   # when the loop last woke from such a wait
        self.longest, self.longest_id = 0.0, 0  # the longest step, and its task's id
        self.buf = bytearray() if sink.steps else None  # records (_record), if the sink keeps them
        # The last step record: where it ends in buf (-1: none open), its
        # task's id and its end. While it is buf's last record, steps of
        # its task that follow at once are merged into it, and its end in
        # buf is written only when another record comes or buf is sent
        # (seal).
        self.last = -1
        self.last_tid, self.last_end = 0, 0.0
        self.slow = sink.slow
        self.samples = []                 # (step start, where) taken by a watchdog
        self.thread = 0
        # The task whose step ran last, if it is pending, until the loop
        # next goes idle (then no longer: the loop must not keep a task
        # alive) or another task's step runs.
        self.lt = None
        self.aw = sink.awaits

    def append(self, handle):
        now = self.clock()
        if (self.task is None and self.cur is not None and now - self.start < 1e-3
                and threading.get_ident() == self.thread):
            # Queued by a quick callback that is no task's, such as the one a
            # timer runs to wake a sleeping task: ready since that was.
            ready = self.ready
        elif type(handle) is _TimerHandle:
            # Due then, whatever held the loop; but a timer that fell due
            # while the loop waited for it was ready when the loop woke:
            # the system's lateness in waking it held nobody.
            ready = handle._when if handle._when < now else now
            if ready < self.woke:
                ready = self.woke
        else:
            ready = now
        _append(self.times, ready)
        _append(self, handle)

    def appendleft(self, handle):
        self.times.appendleft(self.clock())
        super().appendleft(handle)

    def extend(self, handles):
        for h in handles:
            self.append(h)

    def clear(self):
        self.times.clear()
        super().clear()

    def popleft(self):
        now = self.clock()
        if self.cur is not None:  # it ends now, before the pop: the next step is still ready
            d = now - self.start
            if self.tid or d >= self.slow or self.samples:
                if self.end(now):
                    now = self.clock()  # not counting the time the report of a slow step took
            else:  # a quick callback of no task's (a timer's, a done callback): what end does
                self.busy += d
                if d > self.longest:
                    self.longest, self.longest_id = d, 0
        self.cur = handle = _popleft(self)
        self.ready = _popleft(self.times)
        owner = getattr(handle._callback, "__self__", None)
        if isinstance(owner, _TASKS):
            self.task, self.tid = owner, self.ids.get(_key(owner), 0)
        else:
            self.task, self.tid = None, 0
        self.start = now
        return handle

    def seal(self):
        """Write the end of the last step record into buf, if it is buf's
        last record (see last)."""
        if self.last == len(self.buf):
            _set_float(self.buf, self.last - 16, self.last_end)

    def add(self, record):
        """Keep a record (_record) for the sink, sending what is kept when
        it is enough."""
        self.seal()
        buf = self.buf
        buf += record
        if len(buf) >= _FLUSH_AT:  # sent now, not kept: a step may make 10⁵ tasks
            self.loop.flush_steps()

    def end(self, now):
        """The step running ends now. Returns whether it was slow (and
        the sink told)."""
        start = self.start
        d = now - start
        self.busy += d
        task, tid = self.task, self.tid
        if d > self.longest:
            self.longest, self.longest_id = d, tid
        if tid:
            buf = self.buf
            if buf is not None:
                n = len(buf)
                if n != self.last or tid != self.last_tid or start - self.last_end >= 1e-4:
                    if n == self.last:
                        _set_float(buf, n - 16, self.last_end)  # seal the one before
                    buf += _record(1.0, tid, self.ready, start, now, 0.0)
                    n += 48
                    self.last, self.last_tid = n, tid
                # else the same task again at once: one stretch, its end sealed later
                self.last_end = now
                if n >= _FLUSH_AT:  # sent now, not kept: a step may make 10⁵ tasks
                    self.loop.flush_steps()
            if task.done():
                self.loop._ended(task, tid, now)
            else:
                self.lt = task
                if task.cancelling() and self.aw:
                    self.sink.cancel_pending(self.loop, task, tid, now)
        slow = d >= self.slow
        if slow:
            self.sink.slow_step(self.loop, self.cur, task, tid, self.ready, start, now)
        if self.samples:
            self.samples.clear()
        self.cur = self.task = None
        self.tid = 0
        return slow


class RecordingLoop(asyncio.SelectorEventLoop):
    """CPython's SelectorEventLoop, telling sink what its tasks do. clock is
    the loop's time() (default: time.monotonic, as asyncio's), and the
    clock of every time the sink is given."""

    def __init__(self, sink, clock=None, selector=None):
        super().__init__(selector)
        self._sink = sink
        self._clock = clock = clock or _monotonic
        self._ready = r = _Ready(self, sink, clock)
        # Each turn of the loop starts by selecting (waiting for I/O or the
        # next timer): the turn before has ended, and so has its last step.
        select = self._selector.select

        def timed_select(timeout=None):
            if r.cur is not None:
                r.end(clock())
            lt = r.lt
            if lt is not None and timeout != 0:  # nothing else to run: lt waits, and the loop with it
                r.lt = None
                if r.aw:
                    sink.awaiting(self, lt, clock())
            if timeout == 0:
                return select(0)
            t = clock()
            try:
                return select(timeout)
            finally:
                r.woke = clock()
                r.idle += r.woke - t
        self._selector.select = timed_select

    def time(self):
        return self._clock()

    def create_task(self, coro, **kwargs):
        task = super().create_task(coro, **kwargs)
        r = self._ready
        tid = next(_ids)
        r.ids[_key(task)] = tid
        self._sink.task_created(self, task, tid, r.tid, r.clock())  # made by the task running, if any
        if task.done():  # an eager task (Python 3.12) that finished at once
            self._ended(task, tid, r.clock())
        return task

    def _ended(self, task, tid, now):
        if task_state(task) != "error":
            self._ready.ids.pop(_key(task), None)  # a failed task keeps its id: it may log later
        self._sink.task_ended(self, task, tid, now)

    def task_id(self, task):
        """The id of a task of this loop not yet ended (or failed), or 0."""
        return self._ready.ids.get(_key(task), 0)

    def flush_steps(self):
        """Hand the records kept so far to the sink."""
        r = self._ready
        if r.buf:
            r.seal()
            self._sink.flush_steps(self, r.buf)
            del r.buf[:]
            r.last = -1

    def run_forever(self):
        if self.is_running():  # asyncio refuses (RuntimeError): nothing to record
            return super().run_forever()
        r = self._ready
        r.thread = threading.get_ident()
        # What was queued before the loop ran was not held by a step: it
        # is ready from now on.
        r.woke = now = r.clock()
        r.times = collections.deque(max(t, now) for t in r.times)
        self._sink.running(self, True)
        try:
            super().run_forever()
        finally:
            if r.cur is not None:  # stopped in mid-step: by what it raised (Ctrl+C, SystemExit)
                r.end(r.clock())
            r.lt = None
            self._sink.running(self, False)

    def _check_running(self):
        # The check run_forever and run_until_complete make, which raises if
        # a loop runs already in this thread: the sink is told first.
        if self.is_running() or events._get_running_loop() is not None:
            try:
                caller = sys._getframe(1)
                self._sink.nested_run(self, "loop." + caller.f_code.co_name, caller)
            except Exception:  # noqa: BLE001 - never in the way of asyncio's own error
                pass
        super()._check_running()

    def call_exception_handler(self, context):
        try:
            self._sink.exception(self, context)
        except Exception:  # noqa: BLE001 - never in the way of what asyncio logs
            pass
        super().call_exception_handler(context)

    def close(self):
        super().close()
        self.flush_steps()


class RecordingPolicy(asyncio.DefaultEventLoopPolicy):
    """Makes every new loop a RecordingLoop, made by new_loop()."""

    def __init__(self, new_loop):
        super().__init__()
        self._new_loop = new_loop

    def new_event_loop(self):
        return self._new_loop()


# ── virtual time: the twins' tests run on a clock of their own ──

class VirtualClock:
    """--virtual-time's clock: seconds since the twin started, moved on only
    by waits (a loop's select, time.sleep), and the one timer it may hold."""

    def __init__(self):
        self._now = 0.0
        self._alarms = []  # a heap of (at, seq, fn): a VirtualTimer's, a check's limit and Ctrl+C
        self._alarm_seq = itertools.count()

    def now(self):
        return self._now

    def set_alarm(self, at, fn):
        heapq.heappush(self._alarms, (at, next(self._alarm_seq), fn))

    def wait(self, seconds):
        """Pass seconds of virtual time (None: until the next alarm). If an
        alarm falls within them, stop there and fire it: what it raises
        (a KeyboardInterrupt) comes out of the wait, as out of a real one.
        Returns False if there was nothing to wait for."""
        alarms = self._alarms
        if seconds is None and not alarms:
            return False
        target = math.inf if seconds is None else self._now + seconds
        if alarms and alarms[0][0] <= target:
            at, _, fn = heapq.heappop(alarms)
            self._now = max(self._now, at)
            fn()
            return True
        self._now = max(self._now, target)
        return True

    def sleep(self, seconds):
        """time.sleep on the virtual clock."""
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        self.wait(seconds)


class VirtualTimer:
    """A timer on virtual time: fires at its virtual instant, from the
    thread that waits (the main thread), as the clock passes it."""

    def __init__(self, clock, delay, fn):
        self._clock, self._delay, self._fn = clock, delay, fn

    def start(self):
        self._clock.set_alarm(self._clock.now() + self._delay, self._fn)


class VirtualSelector(selectors.BaseSelector):
    """The default selector, but a wait with a timeout moves the virtual
    clock instead of sleeping: it polls for real first, without waiting, so
    that what is ready (the self-pipe, a socket) is still seen."""

    def __init__(self, clock):
        self._sel, self._clock = selectors.DefaultSelector(), clock

    def register(self, fileobj, events, data=None):
        return self._sel.register(fileobj, events, data)

    def unregister(self, fileobj):
        return self._sel.unregister(fileobj)

    def modify(self, fileobj, events, data=None):
        return self._sel.modify(fileobj, events, data)

    def select(self, timeout=None):
        ready = self._sel.select(0)
        if ready or (timeout is not None and timeout <= 0):
            return ready
        if self._clock.wait(timeout):
            return []
        return self._sel.select(None)  # nothing will happen on this clock: wait for real

    def close(self):
        self._sel.close()

    def get_key(self, fileobj):
        return self._sel.get_key(fileobj)

    def get_map(self):
        return self._sel.get_map()


# ── asyncdemo explain ──

def _library_dirs():
    dirs = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            dirs.add(os.path.realpath(path))
    try:
        dirs.update(os.path.realpath(p) for p in site.getsitepackages())
        dirs.add(os.path.realpath(site.getusersitepackages()))
    except Exception:  # noqa: BLE001 - a virtualenv's site may lack them
        pass
    return tuple(d.rstrip(os.sep) + os.sep for d in dirs)


class _Places:
    """Tells the learner's code from the library's, by file name."""

    def __init__(self):
        self._libs = _library_dirs()
        self._mine = os.path.realpath(__file__)
        self._known = {}

    def learners(self, filename):
        """Whether code of filename is the learner's: not the standard
        library's, an installed package's, this module's, or frozen."""
        known = self._known.get(filename)
        if known is None:
            if filename.startswith("<"):
                known = False
            else:
                real = os.path.realpath(filename)
                known = real != self._mine and not real.startswith(self._libs)
            self._known[filename] = known
        return known

    def library(self, filename):
        """The library code of filename is in, by its top-level module or
        package ("redis", "aiohttp", "asyncio"); "" for the learner's code
        and code of no file ("<string>")."""
        if filename.startswith("<") or self.learners(filename):
            return ""
        real = os.path.realpath(filename)
        dirs = [d for d in self._libs if real.startswith(d)]
        rel = real[len(max(dirs, key=len)):] if dirs else os.path.basename(real)
        return rel.split(os.sep)[0].split(".")[0]

    def where(self, frame):
        """Where frame's thread is: the innermost frame of the learner's
        code (file, line, function), the innermost frame of all, and the
        module of the library the learner's line called into ("" if none:
        a builtin such as time.sleep, or its own code)."""
        inner, entry = frame, None
        while frame is not None and not self.learners(frame.f_code.co_filename):
            entry, frame = frame, frame.f_back
        mine = ("", 0, "") if frame is None else (frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)
        lib = "" if entry is None or frame is None else str(entry.f_globals.get("__name__", ""))
        return mine + (inner.f_code.co_filename, inner.f_lineno, inner.f_code.co_name, lib)

    def learners_frame(self, frame):
        """The innermost frame of the learner's code from frame outwards, or
        None."""
        while frame is not None and not self.learners(frame.f_code.co_filename):
            frame = frame.f_back
        return frame


# ── what a coroutine's awaits depend on, as its source shows ──

_COMPS = ("ListComp", "SetComp", "DictComp", "GeneratorExp")
_COMP_CODES = ("<listcomp>", "<setcomp>", "<dictcomp>", "<genexpr>")


class _Scope:
    """The await points of one function (or comprehension) of the
    program, and what each may depend on, as far as its source shows:

      * points: its await expressions, async with and async for statements
        (and, in Python 3.11, the async comprehensions it awaits whole),
        in source order; index maps each node to its place;
      * needs[j]: the points whose result point j may use: point j's
        expression names a variable their result went into, or one
        computed from such a variable, or changed by a call given it
        (flow-insensitive: anywhere in the function, in any order); or
        point j runs only if their result (or error) lets it: an if,
        while or assert tests it, it is in an except or else of a try
        they are in, they are returned, or a jump follows them in a try;
      * cleanup[j]: point j is in an except or finally block;
      * guard[j]: the line of the except block that would catch a
        CancelledError raised at point j (except CancelledError, except
        BaseException, a bare except), or 0."""

    def __init__(self, ast, root, parent):
        self.points, nodes = [], []
        stack = [root]
        while stack:  # the scope's nodes, nested functions left out
            node = stack.pop()
            nodes.append(node)
            for child in ast.iter_child_nodes(node):
                if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                    stack.append(child)
        awaitish = (ast.Await, ast.AsyncWith, ast.AsyncFor)
        for node in nodes:
            if node is not root and (isinstance(node, awaitish) or type(node).__name__ in _COMPS):
                self.points.append(node)
        self.points.sort(key=lambda n: (n.lineno, n.col_offset))
        self.index = {id(n): i for i, n in enumerate(self.points)}
        self.line = [n.lineno for n in self.points]
        inside = {}  # id(node) -> the points in its subtree

        def within(node):
            got = inside.get(id(node))
            if got is None:
                got = {self.index[id(n)] for n in ast.walk(node) if id(n) in self.index}
                inside[id(node)] = got
            return got

        def names(node):
            return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}

        def bases(target):
            out, stack = set(), [target]
            while stack:
                t = stack.pop()
                if isinstance(t, ast.Name):
                    out.add(t.id)
                elif isinstance(t, (ast.Attribute, ast.Subscript, ast.Starred)):
                    stack.append(t.value)
                elif isinstance(t, (ast.Tuple, ast.List)):
                    stack.extend(t.elts)
            return out

        def jumps(stmts):
            return any(isinstance(n, (ast.Break, ast.Continue, ast.Return, ast.Raise))
                       for s in stmts for n in ast.walk(s))

        # Flows: where a value goes (targets) from what it was made of.
        flows = []
        for node in nodes:
            if isinstance(node, ast.Assign):
                flows.append((set().union(*(bases(t) for t in node.targets)), names(node.value)))
            elif isinstance(node, ast.AugAssign):
                flows.append((bases(node.target), names(node.value) | bases(node.target)))
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                flows.append((bases(node.target), names(node.value)))
            elif isinstance(node, ast.NamedExpr):
                flows.append(({node.target.id}, names(node.value)))
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                flows.append((bases(node.target), names(node.iter)))
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                flows.append((bases(node.optional_vars), names(node.context_expr)))
            elif isinstance(node, ast.Call):  # a call may change what it is given
                args = list(node.args) + [k.value for k in node.keywords]
                targets = set().union(*(bases(a) for a in args)) if args else set()
                if isinstance(node.func, ast.Attribute):
                    targets |= bases(node.func.value)
                if args:
                    flows.append((targets, set().union(*(names(a) for a in args))))
        # Tests: what runs only if a test lets it.
        tests = []  # (test, the points it decides, whether all do: a jump or a loop)
        for node in nodes:
            if isinstance(node, ast.If):
                tests.append((node.test, within(node) - within(node.test), jumps(node.body + node.orelse)))
            elif isinstance(node, ast.While):
                tests.append((node.test, None, True))
            elif isinstance(node, ast.IfExp):
                tests.append((node.test, within(node.body) | within(node.orelse), False))
            elif isinstance(node, ast.Assert):
                tests.append((node.test, None, True))
            elif isinstance(node, ast.comprehension):
                for cond in node.ifs:
                    tests.append((cond, within(parent[id(node)]) - within(cond), False))
            elif isinstance(node, getattr(ast, "Match", ())):
                tests.append((node.subject, within(node) - within(node.subject),
                              jumps([s for c in node.cases for s in c.body])))
        tries = []  # (the try's body's points, what its except/else decide, whether all)
        for node in nodes:
            if isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))) and node.handlers:
                decided = set().union(*(within(h) for h in node.handlers)) | set().union(
                    *(within(s) for s in node.orelse)) if node.orelse or node.handlers else set()
                body = set().union(*(within(s) for s in node.body)) if node.body else set()
                tries.append((body, decided, jumps(node.body) or jumps(node.handlers)))

        everything = set(range(len(self.points)))
        exprs = []  # what each point evaluates, whose names it uses
        for p in self.points:
            if isinstance(p, ast.Await):
                exprs.append(names(p.value))
            elif isinstance(p, ast.AsyncWith):
                exprs.append(set().union(*(names(i.context_expr) for i in p.items)))
            elif isinstance(p, ast.AsyncFor):
                exprs.append(names(p.iter))
            else:
                exprs.append(names(p))
        self.needs = [set() for _ in self.points]
        self.cleanup, self.guard = [], []
        for i, p in enumerate(self.points):
            derived, decides = set(), set()
            # Where its result goes.
            if isinstance(p, ast.AsyncWith):
                derived |= set().union(*(bases(it.optional_vars) for it in p.items if it.optional_vars is not None))
                decides |= set().union(*(within(s) for s in p.body))
            elif isinstance(p, ast.AsyncFor):
                derived |= bases(p.target)
                decides |= everything
            child, node = p, parent.get(id(p))
            while node is not None and child is not root:
                if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and child is node.value:
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    derived |= set().union(*(bases(t) for t in targets))
                elif isinstance(node, ast.NamedExpr) and child is node.value:
                    derived.add(node.target.id)
                elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)) and child is node.iter:
                    derived |= bases(node.target)
                elif isinstance(node, ast.withitem) and child is node.context_expr and node.optional_vars is not None:
                    derived |= bases(node.optional_vars)
                elif isinstance(node, ast.Call) and child is not node.func:
                    for a in list(node.args) + [k.value for k in node.keywords]:
                        derived |= bases(a)
                    if isinstance(node.func, ast.Attribute):
                        derived |= bases(node.func.value)
                elif isinstance(node, (ast.Return, ast.Raise, ast.BoolOp, ast.Yield, ast.YieldFrom)):
                    decides |= everything  # what follows runs only if it did not return
                if isinstance(node, ast.stmt):
                    break
                child, node = node, parent.get(id(node))
            changed = True
            while changed:
                changed = False
                for targets, sources in flows:
                    if sources & derived and not targets <= derived:
                        derived |= targets
                        changed = True
            for test, decided, whole in tests:
                if i in within(test) or names(test) & derived:
                    decides |= everything if whole or decided is None else decided
            for body, decided, whole in tries:
                if i in body:
                    decides |= everything if whole else decided
            for j in everything:
                if j in decides or exprs[j] & derived:
                    self.needs[j].add(i)
            # In an except or finally block: clean-up; in a try that catches
            # CancelledError: guarded.
            clean, guard, child, node = False, 0, p, parent.get(id(p))
            while node is not None and child is not root:
                if isinstance(node, ast.ExceptHandler) or (
                        isinstance(node, ast.Try) and any(child is s for s in node.finalbody)):
                    clean = True
                    break
                if not guard and isinstance(node, ast.Try) and any(child is s for s in node.body):
                    for h in node.handlers:
                        if _catches_cancel(ast, h):
                            guard = h.lineno
                            break
                child, node = node, parent.get(id(node))
            self.cleanup.append(clean)
            self.guard.append(guard)


def _catches_cancel(ast, handler):
    """Whether an except block catches CancelledError: except
    (asyncio.)CancelledError, except BaseException, or a bare except."""
    return handler.type is None or any(
        (getattr(n, "id", None) if isinstance(n, ast.Name) else getattr(n, "attr", None))
        in ("CancelledError", "BaseException")
        for n in ast.walk(handler.type) if isinstance(n, (ast.Name, ast.Attribute)))


class _Sources:
    """The program's source files, parsed when first needed, to tell what
    a suspended frame is awaiting: the point of its _Scope it is at."""

    def __init__(self):
        self._files = {}   # filename -> (tree, parent, index of await points by position) or None
        self._scopes = {}  # id(scope node) -> _Scope
        self._codes = {}   # code -> [its instructions' positions, {f_lasti: (scope, point) or None}]

    def _file(self, filename):
        if filename in self._files:
            return self._files[filename]
        got = None
        try:
            import ast
            source = "".join(linecache.getlines(filename))
            if source:
                tree = ast.parse(source, filename)
                parent, index = {}, {}
                for node in ast.walk(tree):
                    for child in ast.iter_child_nodes(node):
                        parent[id(child)] = node
                    if isinstance(node, (ast.Await, ast.AsyncWith, ast.AsyncFor)) or type(node).__name__ in _COMPS:
                        index[(node.lineno, node.end_lineno, node.col_offset, node.end_col_offset)] = node
                got = (ast, tree, parent, index)
        except Exception:  # noqa: BLE001 - no source, or not what it claims to be
            got = None
        self._files[filename] = got
        return got

    def site(self, frame):
        """(scope, point) of the await frame is suspended at, or None when
        the source does not tell."""
        code = frame.f_code
        c = self._codes.get(code)
        if c is None:
            c = self._codes[code] = [None, {}]
        lasti = frame.f_lasti
        if lasti in c[1]:
            return c[1][lasti]
        got = None
        try:
            if c[0] is None:
                c[0] = list(code.co_positions())
            pos = c[0][lasti // 2]
            f = self._file(code.co_filename)
            node = f[3].get(pos) if f is not None else None
            if node is not None:
                ast, parent = f[0], f[2]
                comp = code.co_name in _COMP_CODES
                scope = parent.get(id(node))
                while scope is not None and not (
                        isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                        or (comp and type(scope).__name__ in _COMPS)):
                    scope = parent.get(id(scope))
                if scope is not None:
                    sc = self._scopes.get(id(scope))
                    if sc is None:
                        sc = self._scopes[id(scope)] = _Scope(ast, scope, parent)
                    got = (sc, sc.index[id(node)])
        except Exception:  # noqa: BLE001 - then the source does not tell
            got = None
        c[1][lasti] = got
        return got

    def handler(self, code):
        """The first except block of code's function that catches
        CancelledError (or everything), preferring one that does not raise
        again: its line, or 0."""
        f = self._file(code.co_filename)
        if f is None:
            return 0
        ast, tree = f[0], f[1]
        found = []
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == code.co_name and (
                    node.lineno == code.co_firstlineno
                    or any(d.lineno == code.co_firstlineno for d in node.decorator_list)):
                for h in ast.walk(node):
                    if isinstance(h, ast.ExceptHandler) and _catches_cancel(ast, h):
                        raises = any(isinstance(n, ast.Raise) for s in h.body for n in ast.walk(s))
                        found.append((raises, h.lineno))
                break
        return min(found)[1] if found else 0


def _coroutine_chain(task):
    """The coroutines task is suspended in, outermost first, and what the
    innermost awaits (a future, a task, or None)."""
    coros, leaf = [], None
    o = task.get_coro()
    for _ in range(100):
        if type(o) is _CoroutineType:
            if o.cr_frame is None:
                break
            coros.append(o)
            o = o.cr_await
            if o is None:
                break
            continue
        if isinstance(o, _FUTURES) or type(o) is _GeneratorType:
            leaf = o
            break
        refs = gc.get_referents(o)  # an awaitable's iterator: a future's, a coroutine's wrapper
        if len(refs) == 1 and (type(refs[0]) is _CoroutineType or isinstance(refs[0], _FUTURES)):
            o = refs[0]
            continue
        leaf = o
        break
    return coros, leaf


_CoroutineType = types.CoroutineType
_GeneratorType = types.GeneratorType
# Coroutines of the standard library and of clients that are work started
# by the await (not a pause, a lock, a queue or a stream read).
_WORK = {("asyncio.threads", "to_thread"), ("asyncio.tasks", "wait_for"), ("aiohttp.client", "_request"),
         ("redis.asyncio.client", "execute_command"), ("httpx._client", "request"), ("httpx._client", "send")}
_SIMPLE = (int, float, str, bytes, bool, type(None))


def _fingerprint(v):
    t = type(v)
    if t in _SIMPLE or (t is tuple and len(v) <= 8 and all(type(x) in _SIMPLE for x in v)):
        r = repr(v)
        return r if len(r) <= 200 else r[:200] + "…"
    return "@%x" % id(v)


class _Chains:
    """The await chains of the program's tasks, as the explainer last saw
    each (when the loop went idle after its step): what each coroutine in
    it awaits. Coroutines are held weakly, told apart by serial numbers."""

    def __init__(self, places, sources, code_id):
        self._places, self._sources, self._code_id = places, sources, code_id
        self._chains = {}  # tid -> ([(weakref to coroutine, serial)], weakref to the leaf or None)
        self._serials = itertools.count(1)
        self._scope_ids = {}  # id(_Scope) -> its number, once written
        self.write = None     # the explainer's write
        self._sleep = asyncio.sleep.__code__

    def forget(self, tid):
        self._chains.pop(tid, None)

    def capture(self, loop, task, tid):
        """What changed in task's chain since the last capture: (the first
        level whose await is new, [what each learner's coroutine from
        there awaits now]); None if nothing did."""
        coros, leaf = _coroutine_chain(task)
        prev, prev_leaf = self._chains.get(tid, ((), None))
        c = 0
        while c < len(prev) and c < len(coros) and prev[c][0]() is coros[c]:
            c += 1
        try:
            leaf_ref = weakref.ref(leaf) if leaf is not None else None
        except TypeError:
            leaf_ref = None
        same_leaf = prev_leaf() is leaf if prev_leaf is not None else leaf is None
        if c == len(coros) == len(prev) and same_leaf:
            return None
        chain = list(prev[:c]) + [(weakref.ref(o), next(self._serials)) for o in coros[c:]]
        self._chains[tid] = (chain, leaf_ref)
        first = max(c - 1, 0)
        levels = []
        for i in range(first, len(coros)):
            f = coros[i].cr_frame
            if not self._places.learners(f.f_code.co_filename):
                continue
            awaited = coros[i + 1] if i + 1 < len(coros) else leaf
            levels.append(self._level(loop, i, chain[i][1], f, awaited))
        return first, levels

    def _level(self, loop, i, serial, frame, awaited):
        code = frame.f_code
        lv = {"l": i, "f": serial, "c": self._code_id(code, code.co_qualname), "line": frame.f_lineno,
              "sc": 0, "s": -1, "k": "other", "fp": "", "r": "", "fn": "", "t": 0}
        site = self._sources.site(frame)
        if site is not None:
            sc, lv["s"] = site
            lv["sc"] = self._scope(sc)
        if type(awaited) is _CoroutineType:
            acode = awaited.cr_code
            lv["fn"] = acode.co_qualname
            mod = awaited.cr_frame.f_globals.get("__name__", "") if awaited.cr_frame is not None else ""
            if acode is self._sleep:
                lv["k"] = "pause"
            elif self._places.learners(acode.co_filename) or (mod, acode.co_name) in _WORK:
                lv["k"] = "work"
            if awaited.cr_frame is not None and lv["k"] == "work":
                n = acode.co_argcount + acode.co_kwonlyargcount + bool(acode.co_flags & 4) + bool(acode.co_flags & 8)
                args = acode.co_varnames[:n]
                loc = awaited.cr_frame.f_locals
                lv["fp"] = acode.co_qualname + "(" + ", ".join(_fingerprint(loc.get(a)) for a in args) + ")"
                if args and args[0] in ("self", "cls"):
                    lv["r"] = "%x" % id(loc.get(args[0]))
        elif isinstance(awaited, _TASKS):
            lv["k"], lv["t"] = "task", loop.task_id(awaited) if isinstance(loop, RecordingLoop) else 0
        return lv

    def _scope(self, sc):
        n = self._scope_ids.get(id(sc))
        if n is None:
            n = self._scope_ids[id(sc)] = len(self._scope_ids) + 1
            self.write("scope", {"id": n, "lines": sc.line, "needs": [sorted(x) for x in sc.needs]}, False)
        return n

    def cancel_state(self, task):
        """Where task, cancelled and not done, waits: "on" (as if it had
        not been cancelled: outside any except or finally block and any
        async with's exit, inside a try of the learner's whose except
        catches CancelledError), "cleanup" (in one of those blocks),
        "taskgroup" (in a TaskGroup's exit, which takes the cancellation it
        asked for itself), "unguarded" (no except of the learner's around:
        a library took it) or "unknown" (the source does not tell).
        Returns it, the learner's innermost frame, and the file and line of
        the except that caught it (("", 0) if not "on")."""
        coros, leaf = _coroutine_chain(task)
        state = "unguarded" if coros else "unknown"
        mine, guard = None, ("", 0)
        for i, o in enumerate(coros):
            learners = self._places.learners(o.cr_frame.f_code.co_filename)
            if learners:
                mine = o.cr_frame
            awaited = coros[i + 1] if i + 1 < len(coros) else leaf
            if type(awaited) is _CoroutineType and awaited.cr_code.co_name == "__aexit__":
                if awaited.cr_code.co_qualname == "TaskGroup.__aexit__" and awaited.cr_frame is not None and \
                        awaited.cr_frame.f_globals.get("__name__") == "asyncio.taskgroups":
                    return "taskgroup", mine, ("", 0)
                return "cleanup", mine, ("", 0)
            site = self._sources.site(o.cr_frame)
            if site is None:
                state = "unknown"
            elif site[0].cleanup[site[1]]:
                return "cleanup", mine, ("", 0)
            elif learners and site[0].guard[site[1]] and state != "unknown":
                guard = (o.cr_frame.f_code.co_filename, site[0].guard[site[1]])
        if guard[1] and state == "unguarded":
            state = "on"
        return state, mine, guard


_STATE_RECORDS = {"done": 1.0, "cancelled": 2.0}  # a task's end record's state; error 3


def _code_line(filename, line):
    return linecache.getline(filename, line).strip() if filename and line else ""


def _exception_text(exc):
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class _Collections:
    """The garbage collector's pauses of a millisecond or more (the latest
    ones), seen through gc.callbacks: a step that held the loop may have
    been the collector's doing, not the program's."""

    def __init__(self, clock):
        self._clock, self._start = clock, 0.0
        self.pauses = collections.deque(maxlen=256)

    def __call__(self, phase, info):
        if phase == "start":
            self._start = self._clock()
            return
        end = self._clock()
        if end - self._start >= 1e-3:
            self.pauses.append((self._start, end))

    def during(self, start, end):
        """Seconds the collector paused between start and end."""
        return sum(max(0.0, min(e, end) - max(s, start)) for s, e in list(self.pauses))


class Explainer(Sink):
    """The sink of asyncdemo explain. It writes, on file descriptor fd,
    frames of two kinds, in the order written:

      * a JSON object on one line, "k" its kind, times ("t", "t0", "t1",
        "ready_at") in seconds of the clock (time.monotonic, or a
        VirtualClock's), which "hello" gives at the start as "t0":
          hello  {t0, python, pid}                   the program starts
          out    {s, t, task, x}                     it wrote x on stdout (s 1) or stderr (2);
                                                     task: who, when more than one task exists
          flush  {s, t}  read {t}                    it flushed stream s; it read stdin
          loop   {id, t, thread}                     a loop runs for the first time
          loopend {id, t, run, busy, idle, longest, longest_id}
                                                     it closed (or the program ended): seconds
                                                     it ran, spent running callbacks, spent
                                                     waiting for I/O or timers, and the longest
                                                     step took (and that task's id, or 0)
          foreign {t, type}                          a loop of another kind ran (not recorded)
          code   {id, fn, file, line}                a coroutine function, for task records
          name   {id, name}                          a task's name, when not asyncio's Task-N
          error  {id, exc}                           how a failed task failed
          block  {id, cb, t0, t1, ready_at, ready, nready, at, coro, gc}
                                                     a step held the loop >= slow s: task id
                                                     (or callback cb), the tasks ready meanwhile
                                                     (some of them) and how many callbacks were,
                                                     where it was (at: the learner's lines the
                                                     watchdog saw most), the task's coroutine,
                                                     and how long the garbage collector paused
                                                     in it
          warn   {t, msg, file, line, fn, def_file, def_line}  "coroutine ... was never awaited"
          exc    {t, msg, id, exc, file, line, code, at_file, at_line, at_code, closed}
                                                     what the loop logged (never retrieved,
                                                     destroyed while pending, ...)
          waiting {id, file, line, code}             where a task still pending waits, as its
                                                     loop closes (or the program ends)
          norun  {why}                               Python could not run the program: a syntax
                                                     error, no such module, a file it cannot read
          exit   {t}                                 the program's own code has ended
      * "B", a little-endian uint32 n, and n bytes of records, each six
        little-endian float64: [kind, ...]
          [1, task, ready, start, end, 0]   a step of task (or several at once)
          [2, task, code, parent, t, n]     task made by parent; n: its asyncio
                                            number (Task-n), or -1 (then "name")
          [3, task, state, t, 0, 0]         task ended: state 1 done, 2 cancelled, 3 error
          [4, task, t, n, 0, 0]             the loop went idle after a step of task: its
                                            awaits as "await" n says (n 0: the same as
                                            before)
          [5, loop, 0, 0, 0, 0]             the records that follow are of loop's tasks

    and, for what the loops' records need or what no loop sees:
          await  {n, id, from, lv}           task id's coroutines from level "from" (0 its
                                            own) await something new: lv, for each of the
                                            learner's, {l level, f its serial, c code id,
                                            line, sc scope, s point, k kind (work, pause,
                                            task, other), fp the call and its arguments,
                                            r the receiver, fn the awaited function, t the
                                            awaited task's id}
          scope  {id, lines, needs}          a function's await points: their lines, and
                                            which points each may depend on (_Scope)
          cancel {id, t, how, file, line, code, handler, hline, hcode}
                                            a cancelled task went on (how "went", file:line
                                            where it waited again) or returned normally
                                            ("returned"); handler: the except that may have
                                            caught it
          nested {t, how, msg, id, file, line, code, fn}
                                            asyncio.run (how) was called with a loop
                                            running in its thread, by task id, to run a
                                            coroutine of fn; msg: Python's refusal
          child  {t, how, what}              the program started another process (how:
                                            subprocess.Popen, os.system, os.fork, os.exec,
                                            ...; what: its command)
    """

    steps = True
    awaits = True

    def __init__(self, fd, slow, clock):
        self.slow, self.clock = slow, clock
        self._w = io.BufferedWriter(io.FileIO(fd, "wb", closefd=False), 1 << 16)
        self._lock = threading.Lock()
        self._places = _Places()
        self._codes = {}       # _key(code) -> id
        self._loops = {}       # loop -> [id, first run, running since, seconds run]
        self._running = {}     # id -> the _Ready of each loop running now, for the watchdog
        self._alive = 0
        self._buf = bytearray()  # records of tasks made outside a running loop's step
        self._watchdog = None
        self._done = False
        self._gc = _Collections(clock)
        gc.callbacks.append(self._gc)
        self._loop_ids = itertools.count(1)
        self._olock = threading.RLock()  # (a signal handler may print while out() holds it)
        self._pend = None      # [stream, t, task, pieces] of a line being written
        self._defer = clock is _monotonic  # (on virtual time, every line is flushed at once)
        self._flushed = 0.0    # when the pipe was last flushed for a line
        self._dirty = False    # lines sent that the watchdog is to flush
        self._sources = _Sources()
        self._chains = _Chains(self._places, self._sources, self._code_id)
        self._chains.write = self.write
        self._chain_map = self._chains._chains
        self._nawait = 0
        self._cancels = {}     # tid -> the cancellation count it was seen to go on past
        self._fd = fd
        self.write("hello", {"t0": clock(), "python": sys.version.split()[0], "pid": os.getpid()})

    # ── writing ──

    def write(self, kind, fields, flush=True):
        """Write one JSON frame: write("loop", {...}) writes {"k":"loop",...}."""
        if self._pend is not None:
            self._send_pending()
        line = json.dumps({"k": kind, **fields}, separators=(",", ":")) + "\n"
        self._send(line.encode(), flush)

    def _send(self, data, flush):
        w = self._w
        if w is None:
            return
        try:
            w.write(data)  # one call: a frame is never split by another thread's
            if flush:
                w.flush()
        except (BrokenPipeError, OSError, ValueError):
            self._w = None  # asyncdemo is gone: the program goes on without it
        except RuntimeError:
            pass  # re-entered from a signal handler in mid-write: drop this frame

    def _records(self, buf, flush=False):
        if buf and self._pend is not None:
            self._send_pending()
        if buf:
            self._send(b"B" + struct.pack("<I", len(buf)) + buf, flush)

    # ── what the program writes ──

    def out(self, stream, text):
        t = self.clock()
        who = ""
        loop = events._get_running_loop()
        if loop is not None:
            if self._alive > 1:
                task = asyncio.current_task(loop)
                if task is not None:
                    who = task_who(task)
        elif threading.current_thread() is not threading.main_thread():
            who = threading.current_thread().name
        # The pieces of a line (print writes the text, then "\n") go in one
        # frame, sent at the end of the line (or when another frame is):
        # asyncdemo prints whole lines, each at the time its first piece was
        # written.
        with self._olock:
            p = self._pend
            if p is not None and (p[0] != stream or p[2] != who):
                self._send_out(p)
                p = None
            if p is None:
                p = self._pend = [stream, t, who, []]
            p[3].append(text)
            if "\n" not in text:
                return
            self._pend = None
            self._send_out(p)
        # The pipe is flushed at once, unless the program writes lines faster
        # than every couple of milliseconds: then the watchdog flushes it,
        # within its interval, and a program printing megabytes does not pay
        # a write to the pipe for each line.
        now = _monotonic()
        if not self._defer or now - self._flushed >= 0.002 or not self._start_watchdog():
            self._flushed = now
            self._send(b"", True)
        else:
            self._dirty = True

    def _send_out(self, p):
        self._send(('{"k":"out","s":%d,"t":%r,"task":%s,"x":%s}\n'
                    % (p[0], p[1], json.dumps(p[2]), json.dumps("".join(p[3])))).encode(), False)

    def _send_pending(self):
        """Send the piece of a line written so far, before another frame."""
        with self._olock:
            p, self._pend = self._pend, None
            if p is not None:
                self._send_out(p)

    def flushed(self, stream):
        self.write("flush", {"s": stream, "t": self.clock()})

    def read(self):
        self.write("read", {"t": self.clock()})

    # ── the sink ──

    def _loop_id(self, loop):
        info = self._loops.get(loop)
        if info is None:
            info = self._loops[loop] = [next(self._loop_ids), None, None, 0.0]
        return info

    def running(self, loop, running):
        info = self._loop_id(loop)
        now = self.clock()
        if running:
            if info[1] is None:
                info[1] = now
                self.write("loop", {"id": info[0], "t": now, "thread": threading.current_thread().name})
            info[2] = now
            self._running[id(loop)] = loop._ready
            self._start_watchdog()
        else:
            self._running.pop(id(loop), None)
            if info[2] is not None:
                info[3] += now - info[2]
                info[2] = None

    def _loop_closed(self, loop):
        info = self._loops.get(loop)
        if info is not None and info[1] is not None:
            loop.flush_steps()
        info = self._loops.pop(loop, None)
        if info is not None and info[1] is not None:
            now = self.clock()
            if info[2] is not None:
                info[3] += now - info[2]
            r = loop._ready
            self.write("loopend", {"id": info[0], "t": now, "run": info[3], "busy": r.busy, "idle": r.idle,
                                   "longest": r.longest, "longest_id": r.longest_id})

    def task_created(self, loop, task, tid, parent, t):
        # (Every task passes here: a program of 10⁵ tasks pays each line
        # 10⁵ times.)
        self._alive += 1
        coro = task.get_coro()
        code = getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)
        cid = 0
        if code is not None:
            cid = self._codes.get(_key(code)) or self._code_id(code, getattr(coro, "__qualname__", code.co_name))
        name = task.get_name()
        if name[:5] == "Task-" and name[5:].isdigit():
            n = float(name[5:])
        else:
            n = -1.0
            self.write("name", {"id": tid, "name": name}, False)
        if loop._thread_id is not None:  # running
            loop._ready.add(_record(2.0, tid, cid, parent, t, n))
        else:  # not yet: kept for the next records sent, whose loop may be another
            self._buf += _record(5.0, self._loop_id(loop)[0], 0.0, 0.0, 0.0, 0.0) + _record(2.0, tid, cid, parent, t, n)

    def _code_id(self, code, fn):
        cid = self._codes.get(_key(code))
        if cid is None:
            cid = self._codes[_key(code)] = len(self._codes) + 1
            self.write("code", {"id": cid, "fn": fn, "file": code.co_filename, "line": code.co_firstlineno,
                                "lib": self._places.library(code.co_filename)}, False)
        return cid

    def task_ended(self, loop, task, tid, t):
        # (Every task passes here: what is rare is tested for before it is
        # looked up.)
        self._alive -= 1
        state = task_state(task)
        if self._chain_map:
            self._chain_map.pop(tid, None)
        seen = self._cancels.pop(tid, None) if self._cancels else None
        n = task.cancelling() if state == "done" else 0
        if n and (seen is None or seen[0] != n or seen[1] == "cleanup"):
            # Cancelled, it caught the CancelledError (an except of its
            # coroutine's can) and returned.
            try:
                code = getattr(task.get_coro(), "cr_code", None)
                line = self._sources.handler(code) if code is not None else 0
                if not line:
                    raise LookupError("no except of its own could catch it: a library's did")
                file = code.co_filename
                self.write("cancel", {"id": tid, "t": t, "how": "returned", "file": file, "line": line,
                                      "code": _code_line(file, line), "handler": file, "hline": line,
                                      "hcode": _code_line(file, line)})
            except Exception:  # noqa: BLE001 - never in the program's way
                pass
        if state == "error":
            self.write("error", {"id": tid, "exc": _exception_text(task._exception)}, False)
        name = task.get_name()
        if name[:5] != "Task-" or not name[5:].isdigit():
            self.write("name", {"id": tid, "name": name}, False)  # it may have changed
        loop._ready.add(_record(3.0, tid, _STATE_RECORDS.get(state, 3.0), t, 0.0, 0.0))

    def flush_steps(self, loop, records):
        with self._lock:
            self._records(self._buf)
            del self._buf[:]
            if records:
                self._records(_record(5.0, self._loop_id(loop)[0], 0.0, 0.0, 0.0, 0.0) + records)

    def awaiting(self, loop, task, t):
        tid = loop.task_id(task)
        if not tid or self._w is None:
            return
        try:
            got = self._chains.capture(loop, task, tid)
        except Exception:  # noqa: BLE001 - then this step was not seen: the Go side knows
            return
        n = 0.0
        if got is not None:
            self._nawait += 1
            n = float(self._nawait)
            self.write("await", {"n": self._nawait, "id": tid, "from": got[0], "lv": got[1]}, False)
        loop._ready.add(_record(4.0, tid, t, n, 0.0, 0.0))

    def cancel_pending(self, loop, task, tid, t):
        # Judged once for each count of cancellations: "went" (said),
        # "taskgroup" or "unknown" (not to be said), "cleanup" (cleaning up:
        # to be said if it goes on after).
        n = task.cancelling()
        seen = self._cancels.get(tid)
        if seen is not None and seen[0] == n and seen[1] != "cleanup":
            return
        try:
            state, frame, (hfile, hline) = self._chains.cancel_state(task)
            if state != "on":
                self._cancels[tid] = (n, state)
                return
            self._cancels[tid] = (n, "went")
            file, line = (frame.f_code.co_filename, frame.f_lineno) if frame is not None else ("", 0)
            self.write("cancel", {"id": tid, "t": t, "how": "went", "file": file, "line": line,
                                  "code": _code_line(file, line), "handler": hfile, "hline": hline,
                                  "hcode": _code_line(hfile, hline)})
        except Exception:  # noqa: BLE001 - never in the program's way
            pass

    def nested_run(self, loop, how, frame):
        coro = frame.f_locals.get("main") or frame.f_locals.get("future")  # what it was asked to run
        fn = coro.cr_code.co_qualname if type(coro) is _CoroutineType else ""
        frame = self._places.learners_frame(frame)
        running = events._get_running_loop()
        tid = 0
        if isinstance(running, RecordingLoop):
            task = asyncio.current_task(running)
            tid = running.task_id(task) if task is not None else 0
        file, line = (frame.f_code.co_filename, frame.f_lineno) if frame is not None else ("", 0)
        if how == "asyncio.run":
            msg = "asyncio.run() cannot be called from a running event loop"
        elif how == "asyncio.Runner.run":
            msg = "Runner.run() cannot be called from a running event loop"
        elif loop.is_running():
            msg = "This event loop is already running"
        else:
            msg = "Cannot run the event loop while another loop is running"
        self.write("nested", {"t": self.clock(), "how": how, "msg": msg, "id": tid, "file": file, "line": line,
                              "code": _code_line(file, line), "fn": fn})

    def child(self, event, args):
        """The program starts another process (an audit event)."""
        what = ""
        try:
            if event == "subprocess.Popen":
                what = args[1] if args[1] is not None else args[0]
            elif event == "os.system":
                what = args[0]
            elif event in ("os.exec", "os.posix_spawn"):
                what = args[1]
            elif event == "os.spawn":
                what = args[2]
            if isinstance(what, (bytes, bytearray)):
                what = os.fsdecode(what)
            if not isinstance(what, str):  # argv: the program's name and its arguments
                argv = [os.fsdecode(a) if isinstance(a, (bytes, bytearray)) else str(a) for a in what]
                what = " ".join([os.path.basename(argv[0])] + argv[1:]) if argv else ""
        except Exception:  # noqa: BLE001 - the command is only for the note
            what = ""
        self.write("child", {"t": self.clock(), "how": event, "what": what[:200]})
        if event == "os.exec":  # this process becomes another program: send what is left now
            for loop in list(self._loops):
                if getattr(loop, "_thread_id", None) == threading.get_ident():
                    loop.flush_steps()
            with self._lock:
                self._records(self._buf, True)
                del self._buf[:]

    def before_fork(self):
        """The program forks (or leaves by os._exit): what is buffered is
        sent first, so that the child does not hold it too."""
        w = self._w
        if self._pend is not None:
            self._send_pending()
        if w is not None:
            try:
                w.flush()
            except Exception:  # noqa: BLE001
                pass

    def forked(self):
        """In a child process the program forked, which is not traced: it
        writes nothing to asyncdemo, and its output goes where it goes."""
        self._w, self._done = None, True
        try:
            os.close(self._fd)
        except OSError:
            pass
        _unhook_streams()

    def slow_step(self, loop, handle, task, tid, ready, start, end):
        r = loop._ready
        counts = collections.Counter(w for st, w in list(r.samples) if st == start)
        at = []
        for (file, line, fn, ifile, iline, ifn, lib), n in counts.most_common(3):
            at.append({"file": file, "line": line, "fn": fn, "code": _code_line(file, line),
                       "inner": f"{ifn} ({os.path.basename(ifile)}:{iline})" if (ifile, iline) != (file, line) else "",
                       "lib": lib, "n": n})
        coro = None
        if task is not None:
            code = getattr(task.get_coro(), "cr_code", None)
            if code is not None:
                coro = {"fn": task_who(task), "file": code.co_filename, "line": code.co_firstlineno}
        cb = ""
        if task is None and handle is not None:
            fn = handle._callback
            cb = getattr(fn, "__qualname__", None) or repr(fn)
        tids, n = self._ready_tasks(loop)
        self.write("block", {"id": tid, "cb": cb, "t0": start, "t1": end, "ready_at": ready,
                             "ready": sorted(tids), "nready": n, "at": at, "coro": coro,
                             "gc": self._gc.during(start, end)})

    def _ready_tasks(self, loop, most=100):
        """The ids of (at most most of) the tasks ready to run now, queued or
        due; and how many callbacks are ready (a lower bound past 10,000)."""
        tids = set()
        handles = list(itertools.islice(collections.deque.__iter__(loop._ready), most))
        now = loop.time()
        due = [h for h in itertools.islice(loop._scheduled, 10_000) if h._when <= now and not h._cancelled]
        n = len(loop._ready) + len(due)
        handles += due[:most]
        for h in handles:
            if len(tids) >= most:
                break
            owner = getattr(h._callback, "__self__", None)
            owners = [owner] if isinstance(owner, _TASKS) else []
            for a in h._args or ():
                if isinstance(a, _FUTURES):
                    for cb, _ in a._callbacks or ():
                        o = getattr(cb, "__self__", None)
                        if isinstance(o, _TASKS):
                            owners.append(o)
            for o in owners:
                tid = loop.task_id(o)
                if tid:
                    tids.add(tid)
        return tids, n

    def exception(self, loop, context):
        exc = context.get("exception")
        fut = context.get("task") or context.get("future")
        ev = {"t": self.clock(), "msg": str(context.get("message", "")), "id": 0, "exc": "",
              "file": "", "line": 0, "code": "", "at_file": "", "at_line": 0, "at_code": "",
              "closed": loop.is_closed()}
        if isinstance(fut, _TASKS):
            ev["id"] = loop.task_id(fut)
            if fut.done() or ev["msg"].startswith("Task was destroyed"):
                loop._ready.ids.pop(_key(fut), None)  # in its __del__: its key may be reused
            frame = getattr(fut.get_coro(), "cr_frame", None)
            if frame is not None and not fut.done():  # where it waits
                ev["at_file"], ev["at_line"] = frame.f_code.co_filename, frame.f_lineno
                ev["at_code"] = _code_line(ev["at_file"], ev["at_line"])
        if exc is not None:
            ev["exc"] = _exception_text(exc)
            tb, last = exc.__traceback__, None
            while tb is not None:  # the innermost frame of the learner's code
                if self._places.learners(tb.tb_frame.f_code.co_filename):
                    last = tb
                tb = tb.tb_next
            if last is not None:
                ev["file"], ev["line"] = last.tb_frame.f_code.co_filename, last.tb_lineno
                ev["code"] = _code_line(ev["file"], ev["line"])
        self.write("exc", ev)

    def warned(self, msg):
        """A warning is about to be shown: note an un-awaited coroutine."""
        text = str(msg.message)
        if not (issubclass(msg.category, RuntimeWarning) and "was never awaited" in text):
            return
        ev = {"t": self.clock(), "msg": text, "file": msg.filename, "line": msg.lineno, "fn": "",
              "def_file": "", "def_line": 0}
        code = getattr(msg.source, "cr_code", None)
        if code is not None:
            ev["fn"] = getattr(msg.source, "__qualname__", code.co_name)
            ev["def_file"], ev["def_line"] = code.co_filename, code.co_firstlineno
        self.write("warn", ev)

    # ── where a long step is stuck ──

    def _start_watchdog(self):
        """Start the watchdog thread, if it is not running and the program
        runs on real time. Returns whether it runs."""
        if self._watchdog is not None:
            return True
        if self.clock is not _monotonic or self._done:
            return False
        try:
            self._stop = threading.Event()
            self._watchdog = threading.Thread(target=self._watch, name="asyncdemo-watchdog", daemon=True)
            self._watchdog.start()
        except Exception:  # noqa: BLE001 - at the interpreter's shutdown, say
            self._watchdog = None
            return False
        return True

    def _watch(self):
        """Every interval, flush the lines the program wrote since, and for
        each loop in a step that has run at least that long, note where its
        thread is (the learner's line)."""
        interval = min(max(self.slow / 5, 0.002), 0.01) if math.isfinite(self.slow) else 0.01
        sample = math.isfinite(self.slow)
        while not self._stop.wait(interval):
            if self._dirty:
                self._dirty = False
                self._send(b"", True)
            if not sample:
                continue
            now = self.clock()
            frames = None
            for r in list(self._running.values()):
                if r.cur is None or now - r.start < interval or len(r.samples) >= 256:
                    continue
                start = r.start
                if frames is None:
                    frames = sys._current_frames()
                frame = frames.get(r.thread)
                if frame is not None:
                    r.samples.append((start, self._places.where(frame)))
            frames = frame = None

    def sample_here(self, frame):
        """Note where the step running in this thread is now (what the
        watchdog does, for a program on virtual time)."""
        loop = events._get_running_loop()
        r = getattr(loop, "_ready", None)
        if isinstance(r, _Ready) and r.cur is not None:
            r.samples.append((r.start, self._places.where(frame)))

    def waiting(self, loop, most=1000):
        """Note where the tasks still pending on loop wait (it is closing):
        if one is destroyed later, its coroutine may be gone by then."""
        for task in itertools.islice(asyncio.all_tasks(loop), most):
            tid = loop.task_id(task)
            frame = getattr(task.get_coro(), "cr_frame", None)
            if tid and frame is not None:
                self.write("waiting", {"id": tid, "file": frame.f_code.co_filename, "line": frame.f_lineno,
                                       "code": _code_line(frame.f_code.co_filename, frame.f_lineno)}, False)

    def finish(self):
        """The program's code has ended: write what is left."""
        if self._done:
            return
        self._done = True
        if self._watchdog is not None:
            self._stop.set()
        for loop in list(self._loops):
            if not loop.is_closed():
                self.waiting(loop)
            if loop._ready.cur is not None:  # stopped in mid-step (Ctrl+C, an exit)
                loop._ready.end(self.clock())
            self._loop_closed(loop)
        with self._lock:
            self._records(self._buf)
            del self._buf[:]
        self.write("exit", {"t": self.clock()})


class _ExplainLoop(RecordingLoop):
    def close(self):
        if not self.is_closed():
            self._sink.waiting(self)
        super().close()
        self._sink._loop_closed(self)


def _hook_streams(ex):
    """Send what the program writes on sys.stdout and sys.stderr to
    asyncdemo (with the task that wrote it), and tell it when the program
    flushes them or reads stdin: the streams stay the program's objects;
    only these methods are the explainer's."""
    for stream, obj in ((1, sys.stdout), (2, sys.stderr)):
        if obj is None:
            continue
        write, flush = obj.write, obj.flush

        def hooked_write(s, _stream=stream, _write=write):
            if type(s) is not str:
                return _write(s)  # the stream's own error
            if s:
                ex.out(_stream, s)
            return len(s)

        def hooked_flush(_stream=stream, _flush=flush):
            _flush()
            ex.flushed(_stream)
        obj.write, obj.flush = hooked_write, hooked_flush
    if sys.stdin is not None:
        for name in ("readline", "read"):
            method = getattr(sys.stdin, name)

            def hooked_read(*args, _method=method):
                try:
                    return _method(*args)
                finally:
                    ex.read()
            setattr(sys.stdin, name, hooked_read)


def _unhook_streams():
    """Give sys.stdout, sys.stderr and sys.stdin their own methods back."""
    for obj, names in ((sys.stdout, ("write", "flush")), (sys.stderr, ("write", "flush")),
                       (sys.stdin, ("readline", "read"))):
        for name in names:
            try:
                if name in vars(obj):
                    delattr(obj, name)
            except (AttributeError, TypeError):
                pass


# The audit events of a program starting another process.
_CHILD_EVENTS = frozenset(("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                           "os.forkpty"))


class _RunnersEvents(type(sys)):
    """asyncio.events as asyncio.runners sees it: the same module, but for
    _get_running_loop, which tells the explainer when asyncio.run (or
    Runner.run) is about to refuse to run inside a running loop."""

    def __getattr__(self, name):
        return getattr(events, name)


def explain_main(argv):
    """Run a learner's program under an Explainer, as python would run it.
    argv: FD SLOW FLAGS -- (script PATH | module NAME) ARGS...; FLAGS, comma-
    separated: "v" puts the program on virtual time (asyncdemo's tests, and
    the checks of exercises that only sleep); "x" checks an exercise (see
    Checker), "limit=S" stopping it at S seconds of its clock."""
    fd, slow, flags, _, mode, target, *args = argv
    flags = flags.split(",")
    ex_clock = _monotonic
    vclock = None
    checking = "x" in flags  # asyncdemo check: see Checker
    if "v" in flags:
        vclock = _CheckClock() if checking else VirtualClock()
        ex_clock = vclock.now
    os.set_inheritable(int(fd), False)  # the program's children do not get it
    if checking:
        ex = Checker(_hidden_fd(int(fd)), float(slow), ex_clock)
    else:
        ex = Explainer(int(fd), float(slow), ex_clock)
    loop_class = _CheckLoop if checking else _ExplainLoop

    selector_class = _CheckSelector if checking else VirtualSelector

    def new_loop():
        if vclock is not None:
            return loop_class(ex, vclock.now, selector_class(vclock))
        return loop_class(ex)
    asyncio.set_event_loop_policy(RecordingPolicy(new_loop))
    if vclock is not None:
        def sleep(seconds):
            ex.sample_here(sys._getframe(1))
            vclock.sleep(seconds)
        time.sleep = sleep

    set_running = events._set_running_loop

    def set_running_loop(loop):
        if loop is not None and not isinstance(loop, RecordingLoop):
            ex.write("foreign", {"t": ex.clock(), "type": type(loop).__module__ + "." + type(loop).__qualname__})
        set_running(loop)
    events._set_running_loop = set_running_loop

    show = warnings._showwarnmsg

    def showwarnmsg(msg):
        try:
            ex.warned(msg)
        except Exception:  # noqa: BLE001 - the warning is shown whatever happens here
            pass
        show(msg)
    warnings._showwarnmsg = showwarnmsg

    # A traceback starts at the program's own code, as it would without us,
    # and has none of our frames (RecordingLoop's run_forever) in it.
    ours = {os.path.realpath(__file__), "<string>"}
    hook = sys.excepthook

    def is_ours(tb):
        name = tb.tb_frame.f_code.co_filename
        return name in ours or os.path.realpath(name) in ours

    def without_ours(tb):
        while tb is not None and is_ours(tb):
            tb = tb.tb_next
        prev = tb
        while prev is not None and prev.tb_next is not None:
            if is_ours(prev.tb_next):
                prev.tb_next = prev.tb_next.tb_next
            else:
                prev = prev.tb_next
        return tb

    def excepthook(kind, value, tb):
        try:
            tb = without_ours(tb)
            seen, exc = {id(value)}, value
            while exc is not None:  # and the exceptions it was raised from
                exc = exc.__cause__ or exc.__context__
                if exc is None or id(exc) in seen:
                    break
                seen.add(id(exc))
                exc.__traceback__ = without_ours(exc.__traceback__)
        except Exception:  # noqa: BLE001 - the traceback as it is, then
            pass
        hook(kind, value.with_traceback(tb) if value is not None else value, tb)
    sys.excepthook = excepthook
    atexit.register(ex.finish)
    _hook_streams(ex)

    # asyncio.run inside a running loop: asyncio.runners asks first.
    from asyncio import runners
    real_get = events._get_running_loop
    proxy = _RunnersEvents("asyncio.events")

    def get_running_loop():
        loop = real_get()
        if loop is not None:
            try:
                caller = sys._getframe(1)
                how = "asyncio.Runner.run" if caller.f_code.co_qualname == "Runner.run" else "asyncio.run"
                ex.nested_run(loop, how, caller)
            except Exception:  # noqa: BLE001 - never in the way of asyncio's own error
                pass
        return loop
    proxy._get_running_loop = get_running_loop
    runners.events = proxy

    # Other processes: said once, not traced; a forked child is let go.
    def audit(event, args):
        if event in _CHILD_EVENTS:
            try:
                ex.child(event, args)
            except Exception:  # noqa: BLE001 - an audit hook must not raise
                pass
    sys.addaudithook(audit)
    os.register_at_fork(before=ex.before_fork, after_in_child=ex.forked)

    # os._exit skips atexit: what the watchdog has yet to flush goes first.
    real_exit = os._exit

    def _exit(status):
        ex.before_fork()
        real_exit(status)
    _exit.__doc__, _exit.__name__ = real_exit.__doc__, real_exit.__name__
    os._exit = _exit
    if checking:
        ex.arm(flags, vclock)  # last: what the program finds is what the check compares with

    main = sys.modules["__main__"]
    for name in [n for n in vars(main) if not n.startswith("__")]:
        delattr(main, name)  # the bootstrap's names
    if mode == "module":
        import runpy
        sys.argv = [target, *args]
        sys.path[0] = os.getcwd()
        try:
            runpy._get_module_details(target, runpy._Error)  # as python -m finds it
        except runpy._Error as e:
            ex.write("norun", {"why": "module"})
            sys.exit("%s: %s" % (sys.executable, e))  # python -m's own words
        except SyntaxError:
            ex.write("norun", {"why": "syntax"})
            raise
        runpy._run_module_as_main(target, alter_argv=True)  # what python -m does
        return
    path = os.path.abspath(target)
    sys.argv = [target, *args]
    sys.path[0] = os.path.dirname(os.path.realpath(target))
    try:
        with io.open_code(path) as f:
            source = f.read()
    except OSError as e:
        ex.write("norun", {"why": "open"})
        sys.stderr.write(f"{sys.executable}: can't open file {path!r}: [Errno {e.errno}] {e.strerror}\n")
        sys.exit(2)  # as python does
    try:
        code = compile(source, path, "exec", dont_inherit=True)
    except SyntaxError:
        ex.write("norun", {"why": "syntax"})
        raise  # Python's own message, exit 1
    from importlib.machinery import SourceFileLoader
    main.__file__, main.__cached__, main.__loader__ = path, None, SourceFileLoader("__main__", path)
    exec(code, vars(main))


# ── asyncdemo check: an exercise's program, measured ──
#
# asyncdemo check runs a learner's exercise as explain runs a program, and
# judges it by what the recorder measured: when each task ran, each timer it
# set (an asyncio.sleep, a timeout) and for how long, what held the loop.
# So that a program cannot simply look right, the check mode also
#   * measures with references of its own, taken before the program's first
#     line: a program that replaces time.monotonic changes its own figures,
#     not the check's;
#   * audits, at every turn of each loop, at every timer and every task made,
#     that asyncio, time and the loop are what they were: a program that
#     replaces asyncio.sleep, patches its loop or installs another policy is
#     reported ("tamper") and fails its check;
#   * moves its pipe off fd 3 to a descriptor of its own, close-on-exec;
#   * stops a program on virtual time that runs past its limit, saying
#     where its tasks waited.
# A program that goes looking for the recorder's own objects can still fool
# it: this keeps an exercise honest; it is not a sandbox.

def _hidden_fd(fd):
    """fd moved to a descriptor picked at random, close-on-exec."""
    import fcntl
    import random
    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, random.SystemRandom().randrange(64, 512))
    os.close(fd)
    return new


_SIMPLE = (int, float, bool, str, type(None))


def _short(v):
    """A short text for an argument: its repr for a number, a string or
    None (never a program's own __repr__), else its type's name."""
    if type(v) in _SIMPLE:
        r = repr(v)
    elif type(v) in (tuple, list) and len(v) <= 4 and all(type(x) in _SIMPLE for x in v):
        r = repr(v)
    else:
        r = type(v).__name__
    return r if len(r) <= 24 else r[:21] + "..."


def _args_text(frame):
    """The arguments of the call running in frame, as "2, 'a'"."""
    code = frame.f_code
    n = code.co_argcount + code.co_kwonlyargcount
    n += bool(code.co_flags & 0x04) + bool(code.co_flags & 0x08)  # *args, **kwargs
    loc = frame.f_locals
    return ", ".join(_short(loc.get(name)) for name in code.co_varnames[:n] if name not in ("self", "cls"))


def _fn_name(code):
    name = getattr(code, "co_qualname", code.co_name)
    return name.rsplit("<locals>.", 1)[-1]


class _CheckLoop(_ExplainLoop):
    """The loop of a checked program: an _ExplainLoop that also tells its
    sink (a Checker) of each timer set and cancelled, and has the program
    audited at every turn."""

    def __init__(self, sink, clock=None, selector=None):
        super().__init__(sink, clock, selector)
        select = self._selector.select

        def audited_select(timeout=None):
            sink.audit()
            return select(timeout)
        self._selector.select = audited_select
        self._audited = (self._ready, audited_select, self._clock)

    def call_at(self, when, callback, *args, context=None):
        handle = super().call_at(when, callback, *args, context=context)
        self._sink.timer(self, handle, when)
        return handle

    def _timer_handle_cancelled(self, handle):
        if handle._scheduled and not handle._cancelled:  # not one that already fired
            self._sink.untimer(self, handle)
        super()._timer_handle_cancelled(handle)

    def run_in_executor(self, executor, func, *args):
        clock = getattr(self._selector, "_clock", None)
        if not isinstance(clock, _CheckClock) or not (executor is None or isinstance(executor, ThreadPoolExecutor)):
            return super().run_in_executor(executor, func, *args)
        # A job on virtual time: the clock waits for it while it runs, and
        # a time.sleep in it is a wait of the task that started it.
        r = self._ready
        job = (r.ids.get(_key(r.task), 0) if r.task is not None else 0, self._sink.stack(sys._getframe(1)))

        def run(*args):
            clock.local.job = job
            try:
                return func(*args)
            finally:
                clock.local.job = None
        clock.submitted()
        fut = super().run_in_executor(executor, run, *args)
        fut.add_done_callback(clock.delivered)  # on the loop's thread, once the loop has the result
        return fut


class _CheckClock(VirtualClock):
    """A check's virtual clock, which also waits for the jobs its loops
    run in threads (asyncio.to_thread, run_in_executor): it moves on only
    while none of them is running, each done or asleep, so that a job's
    time.sleep takes its time on the clock as asyncio.sleep does, and
    where a job is when the clock moves does not depend on the machine."""

    def __init__(self):
        super().__init__()
        self.cond = threading.Condition()
        self.running = 0    # jobs submitted whose result the loop has not had, less those asleep
        self.sleepers = []  # a heap of [wake, seq, woken, a job's]
        self._seq = itertools.count()
        self.local = threading.local()
        self.on_sleep = None  # Checker.thread_sleep
        self.on_block = None  # Checker.block_sleep

    def submitted(self):
        with self.cond:
            self.running += 1

    def delivered(self, fut=None):
        with self.cond:
            self.running -= 1

    def sleep(self, seconds):
        """time.sleep: in a loop's thread (or the main thread) it holds the
        thread while the clock moves on, as VirtualClock's; in another
        thread it waits until the clock reaches its end."""
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        if threading.current_thread() is threading.main_thread() or events._get_running_loop() is not None:
            if self.on_block is not None:
                self.on_block(seconds)
            with self.cond:
                self.wait(seconds)
            return
        job = getattr(self.local, "job", None)
        if job is not None and self.on_sleep is not None:
            self.on_sleep(job, seconds)
        with self.cond:
            entry = [self._now + seconds, next(self._seq), False, job is not None]
            heapq.heappush(self.sleepers, entry)
            if job is not None:
                self.running -= 1
            self.cond.notify_all()
            while not entry[2]:
                self.cond.wait()

    def advance(self, timeout):
        """Move on to the next thing due within timeout seconds (None: no
        limit), a job's wake-up or the end of timeout, if no job runs.
        Returns None if a job runs (wait for it for real), else whether
        there was anything to wait for. self.cond must be held."""
        if self.running > 0:
            return None
        wake = self.sleepers[0][0] if self.sleepers else math.inf
        if timeout is not None and self._now + timeout < wake:
            return self.wait(timeout)
        if wake == math.inf:
            return self.wait(None)
        self.wait(max(0.0, wake - self._now))
        while self.sleepers and self.sleepers[0][0] <= self._now:
            entry = heapq.heappop(self.sleepers)
            entry[2] = True
            if entry[3]:
                self.running += 1  # counted before it wakes: the loop waits for it
        self.cond.notify_all()
        return True


class _CheckSelector(VirtualSelector):
    """VirtualSelector for a check's clock: while a job runs in a thread,
    it waits for real (the job ends, or goes to sleep), and with nothing to
    wait for on the clock but a thread of the program's own alive, it waits
    for real too."""

    def select(self, timeout=None):
        clock = self._clock
        while True:
            # Alone is seen before the poll: a thread that ended (asyncio's
            # executor shutdown, say) wrote its wake-up before it ended, and
            # the poll sees it; seen after, the clock would jump to the
            # check's limit past a wake-up already there.
            alone = threading.active_count() == 1
            ready = self._sel.select(0)
            if ready or (timeout is not None and timeout <= 0):
                return ready
            with clock.cond:
                alone = alone or clock.sleepers
                moved = clock.advance(timeout) if (timeout is not None or alone or clock.running) else False
            if moved:
                return []
            if moved is None or not alone:  # a thread works: wait for it
                ready = self._sel.select(0.002 if moved is None else 0.05)
                if ready:
                    return ready
                continue
            return self._sel.select(None)  # nothing will happen on this clock: wait for real


_MISSING = object()

# What a loop's instance must not hold of its own: these are its class's.
_LOOP_METHODS = ("time", "call_at", "call_later", "call_soon", "call_soon_threadsafe", "create_task",
                 "_run_once", "run_forever", "run_until_complete", "_timer_handle_cancelled", "close")


class Checker(Explainer):
    """The sink of asyncdemo check: an Explainer that also writes

          args    {id, args}                  the arguments task id's coroutine was called with: "2"
          timer   {n, id, t, when, stack}     timer n was set (by asyncio.sleep, a timeout...) in task
                                              id (0: no task's), due at when; stack: the program's
                                              frames that set it, innermost first, each {fn, args,
                                              file, line}
          untimer {n, t}                      timer n was cancelled before it was due
          tamper  {t, what}                   the program changed what ("asyncio.sleep"), which the
                                              check relies on
          limit   {t}                         it ran past its limit on virtual time: stopped there
    """

    def __init__(self, fd, slow, clock):
        super().__init__(fd, slow, clock)
        self._timers = {}  # _key(handle) -> its number, while it may be cancelled
        self._n = itertools.count(1)  # timer numbers, from any thread
        self._audit = ()
        self._tampered = set()

    def arm(self, flags, vclock):
        """Take what the audit compares against, now that the recorder has
        set itself up and before the program's first line; set the limit."""
        if isinstance(vclock, _CheckClock):
            vclock.on_sleep, vclock.on_block = self.thread_sleep, self.block_sleep
        self._audit = tuple(_audit_items(vclock))
        for f in flags:
            if f.startswith("limit=") and vclock is not None:
                vclock.set_alarm(float(f[6:]), self._stop)
            if f.startswith("sigint=") and vclock is not None:
                vclock.set_alarm(float(f[7:]), self._interrupt)

    def _interrupt(self):
        """Ctrl+C, as a terminal sends it: a real SIGINT to the program,
        which its handler (asyncio.run's, or Python's KeyboardInterrupt)
        meets as soon as this returns."""
        self.write("interrupt", {"t": self.clock()})
        os.kill(os.getpid(), signal.SIGINT)

    def _stop(self):
        self.write("limit", {"t": self.clock()})
        self.finish()
        os._exit(124)

    def audit(self):
        """Report what the program changed since arm, once each."""
        for label, get, orig in self._audit:
            if get() is not orig and label not in self._tampered:
                self._tampered.add(label)
                self.write("tamper", {"t": self.clock(), "what": label})
        for loop in list(self._loops):
            if not isinstance(loop, _CheckLoop):
                continue
            mine = vars(loop)
            bad = [n for n in _LOOP_METHODS if n in mine]
            if type(loop) is not _CheckLoop:
                bad.append("__class__")
            r, select, clock = loop._audited
            if mine.get("_ready") is not r or loop._selector.select is not select or loop._clock is not clock:
                bad.append("its internals")
            if mine.get("_task_factory") is not None:
                bad.append("task factory")
            for n in bad:
                label = "the event loop's " + n
                if label not in self._tampered:
                    self._tampered.add(label)
                    self.write("tamper", {"t": self.clock(), "what": label})

    def task_created(self, loop, task, tid, parent, t):
        super().task_created(loop, task, tid, parent, t)
        frame = getattr(task.get_coro(), "cr_frame", None)
        if frame is not None:
            self.write("args", {"id": tid, "args": _args_text(frame)}, False)
        self.audit()

    def stack(self, f):
        """The program's own frames from f outwards, innermost first."""
        stack = []
        while f is not None and len(stack) < 8:
            if self._places.learners(f.f_code.co_filename) and f.f_code.co_name != "<module>":
                stack.append({"fn": _fn_name(f.f_code), "args": _args_text(f), "file": f.f_code.co_filename,
                              "line": f.f_lineno})
            f = f.f_back
        return stack

    def timer(self, loop, handle, when):
        r = loop._ready
        tid = r.ids.get(_key(r.task), 0) if r.task is not None else 0
        n = self._timers[_key(handle)] = next(self._n)
        self.write("timer", {"n": n, "id": tid, "t": self.clock(), "when": when,
                             "stack": self.stack(sys._getframe(2))}, False)
        self.audit()

    def thread_sleep(self, job, seconds):
        """A job started by run_in_executor (asyncio.to_thread) sleeps on
        virtual time: a wait of the task that started it, as a timer, in
        the job's own frames (the function it runs) and its starter's."""
        tid, stack = job
        n = next(self._n)
        now = self.clock()
        self.write("timer", {"n": n, "id": tid, "t": now, "when": now + seconds,
                             "stack": self.stack(sys._getframe(2)) + stack, "job": True})

    def block_sleep(self, seconds):
        """A time.sleep on virtual time in a loop's thread: it holds the
        loop (a blocking step, which explain finds) and it is a wait, as a
        timer: the work was done, if not the right way."""
        loop = events._get_running_loop()
        tid = 0
        r = getattr(loop, "_ready", None)
        if isinstance(r, _Ready) and r.task is not None:
            tid = r.ids.get(_key(r.task), 0)
        now = self.clock()
        self.write("timer", {"n": next(self._n), "id": tid, "t": now, "when": now + seconds,
                             "stack": self.stack(sys._getframe(2)), "blocking": True}, False)

    def untimer(self, loop, handle):
        n = self._timers.pop(_key(handle), 0)
        if n:
            self.write("untimer", {"n": n, "t": self.clock()}, False)

    def finish(self):
        if not self._done:
            self.audit()
        super().finish()


def _audit_items(vclock):
    """(label, a function that reads it, its value now) of everything the
    check relies on."""
    import asyncio.base_events as base_events
    import asyncio.futures as futures
    import asyncio.selector_events as selector_events
    import asyncio.tasks as tasks
    import heapq
    items = []

    def add(label, owner, name):
        items.append((label, functools.partial(getattr, owner, name, _MISSING), getattr(owner, name, _MISSING)))
    for name in dir(asyncio):
        if not name.startswith("_"):
            add("asyncio." + name, asyncio, name)
    for name in ("sleep", "Task", "_PyTask", "gather", "wait", "wait_for", "ensure_future"):
        add("asyncio.tasks." + name, tasks, name)
    for name in ("_get_running_loop", "_set_running_loop", "get_running_loop", "get_event_loop",
                 "_event_loop_policy", "Handle", "TimerHandle"):
        add("asyncio.events." + name, events, name)
    add("asyncio.futures.Future", futures, "Future")
    add("asyncio.futures._set_result_unless_cancelled", futures, "_set_result_unless_cancelled")
    for name in ("heappush", "heappop"):
        add("heapq." + name, heapq, name)
        add("heapq." + name, base_events.heapq, name)
    for name in ("sleep", "monotonic", "time", "perf_counter"):
        add("time." + name, time, name)
    classes = [_CheckLoop, _ExplainLoop, RecordingLoop, selector_events.BaseSelectorEventLoop,
               base_events.BaseEventLoop, _Ready, events.Handle, events.TimerHandle]
    if vclock is not None:
        classes += [VirtualClock, VirtualSelector, _CheckClock, _CheckSelector]
    for cls in classes:
        d = vars(cls)  # a live view: a method replaced on the class shows in it
        for name, value in list(d.items()):
            if callable(value) or isinstance(value, (staticmethod, classmethod, property)):
                items.append((f"{cls.__name__}.{name}", functools.partial(d.get, name, _MISSING), value))
    return items
