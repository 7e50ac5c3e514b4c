"""An asyncio event loop on a virtual clock, for the tests that compare
demos/aio with CPython (order.py, and diffrunner.py of diff_test.go).

    loop = vclock.VirtualEventLoop()

is CPython's own selector event loop (ready queue, timer heap, callbacks,
tasks: all asyncio's code, unchanged) whose clock alone is replaced:

- loop.time() reads a virtual clock that starts at 0. When the loop would
  wait in select() for its next timer with nothing to do, the clock jumps
  to that timer instead of sleeping, so a log never depends on how late a
  busy machine wakes the loop up, and a program sleeping for seconds takes
  no time.

- The clock still moves between two readings, by TICK, as a real one does
  (CPython's timer heap is not stable: two timers due at exactly the same
  time could fire in either order, and on a real clock no two call_later
  ever read the same time). So of two timers due "at the same time", the
  one set first fires first, as aio's loop orders them.

- Its resolution, RESOLUTION, is coarser than the ticks add up to in a
  test, so the loop, which runs every timer due before now + resolution in
  one iteration, fires the timers due "at the same time" (the same delays
  added up, give or take some ticks) in the same iteration, and timers due
  further apart than RESOLUTION in iterations of their own, as aio's loop
  does on its fake clock. A test's durations must then differ by more than
  a microsecond (they are whole milliseconds), and a run must read the
  clock fewer than RESOLUTION / TICK = a million times.

Before jumping, the selector looks at its file descriptors without
waiting, so a call_soon_threadsafe from another thread (which writes to
the loop's self-pipe) still wakes the loop up. But a real thread takes
real time, which the virtual clock does not wait for: whether the thread's
call comes before a timer or after would be a race, so run_in_executor
(and with it asyncio.to_thread) refuses to run here. A scenario with a
thread must make its order independent of timing (the thread waits for an
Event that the loop sets, and the loop has no timer pending meanwhile,
when it blocks in select for real).
"""
import asyncio
import selectors

TICK = 1e-12
RESOLUTION = 1e-6


class _Selector(selectors.DefaultSelector):
    """The platform's selector, except that a wait with a timeout for
    nothing that is ready already advances the loop's clock by the timeout
    instead."""

    def __init__(self, clock):
        super().__init__()
        self._clock = clock

    def select(self, timeout=None):
        ready = super().select(0)
        if ready or timeout == 0:
            return ready
        if timeout is None:
            # No timer pending: only another thread (or a signal) can wake
            # the loop up, and it takes real time to.
            return super().select(None)
        self._clock.advance(timeout)
        return []


class VirtualEventLoop(asyncio.SelectorEventLoop):
    def __init__(self):
        self._virtual_now = 0.0
        super().__init__(_Selector(self))
        self._clock_resolution = RESOLUTION

    def time(self):
        now = self._virtual_now
        self._virtual_now = now + TICK
        return now

    def advance(self, seconds):
        self._virtual_now += seconds

    def run_in_executor(self, executor, func, *args):
        raise RuntimeError(
            "vclock: a real thread would race the virtual clock; "
            "see vclock.py on how to write such a scenario")
