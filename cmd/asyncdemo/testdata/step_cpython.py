"""What CPython's event loop holds, iteration by iteration, in the programs
of asyncdemo's gather, nest and cancel lessons (their aio style, line for
line): the spec that step_test.go holds `asyncdemo LESSON --step --json`'s
states to.

    python3 step_cpython.py gather|nest|cancel

prints one JSON object per line: for each run of the lesson, what the loop
holds as each run_forever starts and after each iteration (_run_once): the
ready queue in order and the timers still due, earliest first, in the words
asyncdemo's loop uses (demos/aio/observe.go). The loop is CPython's own, on
the virtual clock of demos/aio/testdata/vclock.py, so the times are exact.
"""
import asyncio, json, os, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "demos", "aio", "testdata"))
import vclock  # noqa: E402


def describe_awaitable(loop, a):
    if isinstance(a, asyncio.Task):
        return a.get_name()
    children = getattr(a, "_children", None)
    if children is not None:  # a _GatheringFuture
        return "gather(" + ", ".join(describe_awaitable(loop, c) for c in children) + ")"
    return "future"


def waiter_task(loop, fut):
    for t in loop.tasks:
        if t._fut_waiter is fut:
            return t.get_name()
    return "?"


def describe(loop, h):
    """A handle of the ready queue or the timer heap, as aio's Callback
    String says it."""
    cb, args = h._callback, h._args
    owner = getattr(cb, "__self__", None)
    if isinstance(owner, asyncio.Task):  # Task.__step or Task.task_wakeup
        return "step " + owner.get_name()
    name = getattr(cb, "__qualname__", repr(cb))
    if name == "_set_result_unless_cancelled":  # asyncio.sleep's timer
        return "sleep's timer: wake " + waiter_task(loop, args[0])
    if name in ("gather.<locals>._done_callback", "_wait.<locals>._on_completion",
                "as_completed.<locals>._on_completion", "_run_until_complete_cb"):
        return name + "(" + describe_awaitable(loop, args[0]) + ")"
    if name == "BaseEventLoop.stop":
        return "loop.stop()"
    return name + "()"


class SteppingLoop(vclock.VirtualEventLoop):
    """CPython's loop, which says what it holds after each iteration."""

    def __init__(self, run, interrupt_at=None):
        super().__init__()
        self.run_name = run
        self.iteration = 0
        self.tasks = []  # every task made, for describe's sleep timers
        self.interrupt_at = interrupt_at

    def create_task(self, coro, *, name=None, context=None):
        t = super().create_task(coro, name=name)
        self.tasks.append(t)
        return t

    def _jump(self, timeout):
        # A Ctrl+C (SIGINT) while the loop waits for its next timer: it
        # interrupts select(), and KeyboardInterrupt leaves _run_once.
        if self.interrupt_at is not None and self._last + timeout >= self.interrupt_at:
            self._virtual = self.interrupt_at
            self.interrupt_at = None
            raise KeyboardInterrupt
        super()._jump(timeout)

    def say(self, starting=False, stopped=""):
        timers = sorted((h for h in self._scheduled if not h._cancelled), key=lambda h: h._when)
        print(json.dumps({
            "run": self.run_name, "iteration": self.iteration, "starting": starting, "stopped": stopped,
            "ready": [describe(self, h) for h in self._ready if not h._cancelled],
            "timers": [[round(h._when * 1000), describe(self, h)] for h in timers],
        }))

    def run_forever(self):
        self.say(starting=True)
        super().run_forever()

    def _run_once(self):
        try:
            super()._run_once()
        except KeyboardInterrupt:
            self.iteration += 1
            self.say(stopped="KeyboardInterrupt")
            raise
        self.iteration += 1
        self.say(stopped="stop" if self._stopping else "")


async def do_some_work(x):
    await asyncio.sleep(x)
    return "Done after %ss" % x


def name(x):
    return "do_some_work(%g)" % x


def create_tasks(loop, durations):
    return [loop.create_task(do_some_work(x), name=name(x)) for x in durations]


def run(name_, body, **kw):
    loop = SteppingLoop(name_, **kw)
    try:
        body(loop)
    finally:
        loop.close()


def gather(loop):  # gatherAio, --with wait
    tasks = create_tasks(loop, [1, 2, 4])
    all_ = asyncio.gather(*tasks)

    async def wait():
        await asyncio.wait(tasks)
    all_ = loop.create_task(wait(), name="wait")
    loop.run_until_complete(all_)


def gather_sequential(loop):  # gatherSequentialAio
    async def main():
        for x in [1, 2, 4]:
            await loop.create_task(do_some_work(x), name=name(x))
    loop.run_until_complete(loop.create_task(main(), name="main"))


def nest_wait(loop):
    async def main():
        await asyncio.wait(create_tasks(loop, [1, 2, 4]))
    loop.run_until_complete(loop.create_task(main(), name="main"))


def nest_gather(loop):
    async def main():
        await asyncio.gather(*create_tasks(loop, [1, 2, 4]))
    loop.run_until_complete(loop.create_task(main(), name="main"))


def nest_as_completed(loop):
    async def main():
        for f in asyncio.as_completed(create_tasks(loop, [1, 2, 4])):
            await f
    loop.run_until_complete(loop.create_task(main(), name="main"))


def cancel(loop):  # cancelAio, interrupted at 0.8 s
    tasks = create_tasks(loop, [1, 2, 2])

    async def wait():
        await asyncio.wait(tasks)
    w = loop.create_task(wait(), name="wait")
    try:
        loop.run_until_complete(w)
    except KeyboardInterrupt:
        pass
    for t in tasks + [w]:  # asyncio.all_tasks() is a set: in creation order, as aio's AllTasks
        t.cancel()
    loop.stop()
    loop.run_forever()


if __name__ == "__main__":
    lesson = sys.argv[1]
    if lesson == "gather":
        run("concurrent", gather)
        run("sequential", gather_sequential)
    elif lesson == "nest":
        run("wait", nest_wait)
        run("gather", nest_gather)
        run("return", nest_gather)  # return await asyncio.gather(...): the same loop
        run("as-completed", nest_as_completed)
    elif lesson == "cancel":
        run("cancel-tasks", cancel, interrupt_at=0.8)
    else:
        sys.exit("unknown lesson " + lesson)
