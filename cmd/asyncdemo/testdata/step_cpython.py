"""What CPython's event loop holds, iteration by iteration, in the programs
of asyncdemo's gather, nest and cancel lessons (their aio style, line for
line): the spec that step_test.go holds `asyncdemo LESSON --step --json`'s
states to.

    python3 step_cpython.py gather|nest|cancel

    python3 step_cpython.py nest 4,1,2      # other durations

prints one JSON object per line: for each run of the lesson, what the loop
holds as each run_forever starts and after each iteration (_run_once): the
ready queue in order, the timers still due, earliest first, and every task
the program made, in the order it made them, with its state (pending,
done, failed, cancelled), what a pending one awaits, whether it is being
cancelled, and a done one's result; all in the words asyncdemo's loop uses
(demos/aio/observe.go). The loop is CPython's own, on the virtual clock of
demos/aio/testdata/vclock.py, so the times are exact.
"""
import argparse, asyncio, json, os, sys

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


def in_closure(fn, pred):
    """Whether a cell of fn's closure holds a value for which pred is true."""
    for cell in getattr(fn, "__closure__", None) or ():
        try:
            if pred(cell.cell_contents):
                return True
        except ValueError:  # an empty cell
            pass
    return False


def describe_waiter(loop, fut):
    """What a pending task awaits, in the words of aio's TaskState.Waiting:
    "" when nothing (its step is due), "sleep" (with the time its timer is
    due, in ms), a task's name, "gather(...)", "asyncio.wait" (the waiter
    future of asyncio.wait's _wait), "as_completed" (the getter future of
    as_completed's queue) or "future"."""
    if fut is None or fut.done():  # done: the task's wakeup is due
        return "", None
    if isinstance(fut, asyncio.Task) or getattr(fut, "_children", None) is not None:
        return describe_awaitable(loop, fut), None
    for h in loop._scheduled:
        if not h._cancelled and h._callback.__qualname__ == "_set_result_unless_cancelled" and h._args[0] is fut:
            return "sleep", round(h._when * 1000)
    # The callbacks that asyncio.wait and as_completed add to the tasks they
    # watch: still on a pending task, or in the ready queue once it is done.
    callbacks = [cb for t in loop.tasks for cb, _ in t._callbacks or ()] + [h._callback for h in loop._ready]
    for cb in callbacks:
        name = getattr(cb, "__qualname__", "")
        if name == "_wait.<locals>._on_completion" and in_closure(cb, lambda v: v is fut):
            return "asyncio.wait", None
        if name == "as_completed.<locals>._on_completion" and in_closure(
                cb, lambda v: isinstance(v, asyncio.Queue) and fut in v._getters):
            return "as_completed", None
    return "future", None


def describe_task(loop, t):
    """A task as aio's TaskState holds it."""
    d = {"name": t.get_name(), "state": "pending", "waiting": "", "wake_at": None, "cancelling": False, "result": ""}
    if t.cancelled():
        d["state"] = "cancelled"
    elif t.done() and t.exception() is not None:
        d["state"], d["result"] = "failed", str(t.exception())
    elif t.done():
        d["state"], d["result"] = "done", repr(t.result())
    else:
        d["waiting"], d["wake_at"] = describe_waiter(loop, t._fut_waiter)
        d["cancelling"] = t.cancelling() > 0
    return d


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
            "tasks": [describe_task(self, t) for t in self.tasks],
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
    tasks = create_tasks(loop, DURATIONS)
    if OPTS.with_ == "wait":
        async def wait():
            await asyncio.wait(tasks)
        all_ = loop.create_task(wait(), name="wait")
    else:
        all_ = asyncio.gather(*tasks)
    loop.run_until_complete(all_)


def gather_sequential(loop):  # gatherSequentialAio
    async def main():
        for x in DURATIONS:
            await loop.create_task(do_some_work(x), name=name(x))
    loop.run_until_complete(loop.create_task(main(), name="main"))


def nest_wait(loop):
    async def main():
        await asyncio.wait(create_tasks(loop, DURATIONS))
    loop.run_until_complete(loop.create_task(main(), name="main"))


def nest_gather(loop):
    async def main():
        await asyncio.gather(*create_tasks(loop, DURATIONS))
    loop.run_until_complete(loop.create_task(main(), name="main"))


def nest_return(loop):
    async def main():
        return await asyncio.gather(*create_tasks(loop, DURATIONS))
    loop.run_until_complete(loop.create_task(main(), name="main"))


def nest_as_completed(loop):
    async def main():
        for f in asyncio.as_completed(create_tasks(loop, DURATIONS)):
            await f
    loop.run_until_complete(loop.create_task(main(), name="main"))


def cancel(loop):  # cancelAio, interrupted at OPTS.interrupt
    tasks = create_tasks(loop, DURATIONS)

    async def wait():
        await asyncio.wait(tasks)
    w = loop.create_task(wait(), name="wait")
    try:
        loop.run_until_complete(w)
    except KeyboardInterrupt:
        pass
    for t in tasks + [w]:  # asyncio.all_tasks() is a set: in creation order, as aio's AllTasks
        t.cancel()
    if OPTS.drain:
        loop.stop()
        loop.run_forever()


def cancel_outer(loop):  # cancelOuterAio
    tasks = create_tasks(loop, DURATIONS)

    async def main():
        await asyncio.wait(tasks)
    m = loop.create_task(main(), name="main")
    try:
        loop.run_until_complete(m)
    except KeyboardInterrupt:
        pass
    asyncio.gather(*[t for t in tasks + [m] if not t.done()]).cancel()
    if OPTS.drain:
        loop.stop()
        loop.run_forever()


def options(argv):
    p = argparse.ArgumentParser()
    p.add_argument("lesson", choices=["gather", "nest", "cancel"])
    p.add_argument("--durations", type=lambda s: [int(x) for x in s.split(",")])
    p.add_argument("--with", dest="with_", default="wait", choices=["wait", "gather"])
    p.add_argument("--mode", default="tasks", choices=["tasks", "outer"])
    p.add_argument("--interrupt", type=float, default=0.8, help="seconds")
    p.add_argument("--no-drain", dest="drain", action="store_false")
    o = p.parse_args(argv)
    if o.durations is None:
        o.durations = [1, 2, 2] if o.lesson == "cancel" and o.mode == "tasks" else [1, 2, 4]
    return o


if __name__ == "__main__":
    OPTS = options(sys.argv[1:])
    DURATIONS = OPTS.durations
    if OPTS.lesson == "gather":
        run("concurrent", gather)
        run("sequential", gather_sequential)
    elif OPTS.lesson == "nest":
        run("wait", nest_wait)
        run("gather", nest_gather)
        run("return", nest_return)
        run("as-completed", nest_as_completed)
    elif OPTS.mode == "outer":
        run("cancel-outer", cancel_outer, interrupt_at=OPTS.interrupt)
    else:
        run("cancel-tasks", cancel, interrupt_at=OPTS.interrupt)
