"""An asyncio event loop on a virtual clock, for the tests that compare
demos/aio with CPython (order.py, and diffrunner.py of diff_test.go).

    loop = vclock.VirtualEventLoop()

is CPython's own selector event loop (ready queue, timer heap, callbacks,
tasks: all asyncio's code, unchanged) whose clock alone is replaced. So a
log never depends on how late a busy machine wakes the loop up, and a
program that sleeps for seconds takes none.

The virtual time, which starts at 0, only moves when the loop would wait
in select() for its next timer with nothing to do: it then jumps to that
timer's deadline, rounded to the microsecond (GRAIN), instead of sleeping.

But loop.time() does not return the virtual time alone. A real clock runs
between two readings, and CPython counts on it: its timer heap is not
stable, so two timers due at exactly the same time could fire in either
order, which on a real clock never happens. So loop.time() adds TICK for
every reading so far to the virtual time: of two timers due "at the same
time", the one set first is due a few ticks earlier and fires first, as
aio's loop orders them. The ticks of a whole run add up to less than half
a microsecond, so timers due at the same virtual time (the same delays
added up) are all due by the time the clock jumps there, and fire in the
same iteration, while timers due a microsecond or more apart fire in
iterations of their own, as on aio's fake clock. Unlike a real clock, the
jump to a deadline keeps the ticks counted so far: a timer set after it
is due after every timer set before it at the same virtual time. So the
tests' durations must be whole microseconds (they are whole milliseconds),
and a run may read the clock less than GRAIN / 2 / TICK = 500 000 times.

Before jumping, the selector looks at its file descriptors without
waiting, so a call_soon_threadsafe from another thread (which writes to
the loop's self-pipe) still wakes the loop up. But a real thread takes
real time, which the virtual clock does not wait for: whether the thread's
call comes before a timer or after would be a race. So run_in_executor
(and with it asyncio.to_thread) refuses to run here, and a scenario with a
thread of its own must not let its order depend on timing: the thread
waits for an Event that the loop sets, say, while the loop has no timer
pending and so waits in select() for real.
"""
import asyncio
import math
import selectors

TICK = 1e-12
GRAIN = 1e-6


class _Selector(selectors.DefaultSelector):
    """The platform's selector, except that a wait with a timeout for
    nothing that is ready already advances the loop's clock instead."""

    def __init__(self, loop):
        super().__init__()
        self._loop = loop

    def select(self, timeout=None):
        ready = super().select(0)
        if ready or timeout == 0:
            return ready
        if timeout is None:
            # No timer pending: only another thread (or a signal) can wake
            # the loop up, and it takes real time to.
            return super().select(None)
        self._loop._jump(timeout)
        return []


class VirtualEventLoop(asyncio.SelectorEventLoop):
    def __init__(self):
        self._virtual = 0.0  # the virtual time, in whole microseconds
        self._reads = 0  # how many times loop.time() was read
        self._last = 0.0  # what it returned last
        super().__init__(_Selector(self))

    def time(self):
        self._reads += 1
        if self._reads * TICK >= GRAIN / 2:
            raise RuntimeError("vclock: read too often for its ticks to stay under GRAIN / 2")
        self._last = self._virtual + self._reads * TICK
        return self._last

    def _jump(self, timeout):
        # The loop computed timeout = (next deadline) - (its last reading).
        when = self._last + timeout
        to = round(when / GRAIN) * GRAIN
        if to + (self._reads + 1) * TICK <= when:
            # A deadline off the grid: jump past it all the same.
            to = math.ceil(when / GRAIN) * GRAIN
        self._virtual = max(self._virtual, to)

    def run_in_executor(self, executor, func, *args):
        raise RuntimeError(
            "vclock: a real thread would race the virtual clock; "
            "see vclock.py on how to write such a scenario")
