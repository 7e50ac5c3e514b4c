"""The spec of demos/aio's ordering tests (order_test.go), run by them.

Each scenario runs on a fresh event loop and logs events; the scenario of
the same name in order_test.go does the same on aio's loop, and the test
checks that both logs are equal, line for line. Values are written as Go's
%v writes them (true, [3 1 2], an exception as its message), so that the
lines compare as they are.

The loops run on a virtual clock (vclock.py), as aio's run on a fake one:
a log never depends on how late a busy machine wakes a loop up, and the
times a scenario logs are exact.

    python3 order.py [NAME ...]

runs the scenarios named (all by default) and prints, for each, a line
"=== NAME" and then one line per event.
"""
import asyncio, functools, sys

import vclock

log = []

def fmt(x):
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, (list, tuple)):
        return "[" + " ".join(fmt(e) for e in x) + "]"
    return str(x)  # an exception's str is its message, as Go's Error()

def L(*a): log.append(" ".join(fmt(x) for x in a))

def secs(seconds):
    """seconds to the millisecond, as Go's %.3f writes them."""
    return "%.3f" % seconds

wanted = set(sys.argv[1:])
unknown = set(wanted)

def run(name, fn):
    global log
    if wanted and name not in wanted:
        return
    unknown.discard(name)
    log = []
    loop = vclock.VirtualEventLoop()
    try:
        fn(loop)
    finally:
        loop.close()
    print("=== " + name)
    for line in log:
        print(line)

# 1 call_soon ordering and nesting
def s1(loop):
    loop.call_soon(L, "a")
    loop.call_soon(lambda: (L("b"), loop.call_soon(L, "b2")))
    loop.call_soon(L, "c")
    loop.call_soon(loop.stop)
    loop.run_forever()
    L("stopped")
    loop.run_until_complete(asyncio.sleep(0))
run("callsoon", s1)

# 2 timers
def s2(loop):
    loop.call_later(0.2, L, "t0.2")
    loop.call_later(0.1, L, "t0.1a")
    h = loop.call_later(0.1, L, "cancelled")
    loop.call_later(0.1, L, "t0.1b")
    h.cancel()
    loop.call_later(0.3, loop.stop)
    loop.run_forever()
run("timers", s2)

# 3 task start order interleaved
def s3(loop):
    async def w(n):
        L("start", n)
        await asyncio.sleep(0)
        L("resume", n)
    t1 = loop.create_task(w(1))
    loop.call_soon(L, "cb")
    t2 = loop.create_task(w(2))
    loop.run_until_complete(asyncio.gather(t1, t2))
run("taskorder", s3)

# 4 done callbacks not inline
def s4(loop):
    f = loop.create_future()
    f.add_done_callback(lambda f: L("cb1", f.result()))
    f.add_done_callback(functools.partial(lambda x, f: L("cb2", x, f.result()), "extra"))
    def setter():
        f.set_result(42); L("after set_result")
        loop.call_soon(L, "soon after")
    loop.call_soon(setter)
    loop.run_until_complete(f)
    f.add_done_callback(lambda f: L("late cb"))
    L("before late run")
    loop.run_until_complete(asyncio.sleep(0))
run("donecb", s4)

# 5 two-hop sleep wake
def s5(loop):
    async def sleeper():
        await asyncio.sleep(1)
        L("task woke")
    t = loop.create_task(sleeper())
    def later():
        loop.call_later(1, L, "timer cb")
    loop.call_soon(later)
    loop.run_until_complete(t)
run("twohop", s5)

# 6 gather order
def s6(loop):
    async def w(x):
        L("Waiting", x)
        await asyncio.sleep(x/10)
        L("Done", x)
        return x
    async def main():
        r = await asyncio.gather(w(3), w(1), w(2))
        L("results", r)
    loop.run_until_complete(main())
run("gather", s6)

# 7 gather exception and return_exceptions
def s7(loop):
    async def w(x):
        await asyncio.sleep(x/10)
        if x == 2: raise ValueError("boom")
        L("Done", x)
        return x
    async def main():
        try:
            await asyncio.gather(w(3), w(2), w(1))
        except ValueError as e:
            L("gather raised", e)
        r = await asyncio.gather(w(3), w(2), w(1), return_exceptions=True)
        L("results", r)
        await asyncio.sleep(0.5)
    loop.run_until_complete(main())
run("gatherexc", s7)

# 8 gather cancel
def s8(loop):
    async def w(x):
        try:
            await asyncio.sleep(x)
        except asyncio.CancelledError:
            L("child cancelled", x)
            raise
    async def main():
        g = asyncio.gather(w(1), w(2))
        loop.call_later(0.5, lambda: L("cancel ->", g.cancel()))
        try:
            await g
        except asyncio.CancelledError:
            L("main got CancelledError", g.cancelled(), g.done())
    loop.run_until_complete(main())
run("gathercancel", s8)

# 9 wait variants
def s9(loop):
    async def w(x):
        await asyncio.sleep(x/10)
        if x == 2: raise ValueError("boom")
        return x
    async def main():
        for rw in (asyncio.FIRST_COMPLETED, asyncio.FIRST_EXCEPTION, asyncio.ALL_COMPLETED):
            ts = [asyncio.ensure_future(w(x)) for x in (3,2,1)]
            start = loop.time()
            done, pending = await asyncio.wait(ts, return_when=rw)
            L(rw, sorted(ts.index(t) for t in done), sorted(ts.index(t) for t in pending), secs(loop.time()-start))
            for t in pending: t.cancel()
            await asyncio.sleep(0.1)
        ts = [asyncio.ensure_future(w(x)) for x in (3,1)]
        done, pending = await asyncio.wait(ts, timeout=0.2)
        L("timeout", len(done), len(pending))
        await asyncio.wait(pending)
    loop.run_until_complete(main())
run("wait", s9)

# 10 as_completed
def s10(loop):
    async def w(x):
        await asyncio.sleep(x/10)
        return x
    async def main():
        for f in asyncio.as_completed([w(4), w(1), w(2)]):
            L("got", await f)
    loop.run_until_complete(main())
run("ascompleted", s10)

# 11 cancel caught and cleanup
def s11(loop):
    async def w():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            L("caught, cleaning up")
            return "cleaned"
    t = loop.create_task(w())
    loop.call_later(0.1, lambda: L("cancel", t.cancel()))
    r = loop.run_until_complete(t)
    L("result", r, t.cancelled(), t.cancel())
run("cancelcaught", s11)

# 12 cancel before start
def s12(loop):
    async def w():
        L("body ran")
    t = loop.create_task(w())
    L("cancel", t.cancel())
    try:
        loop.run_until_complete(t)
    except asyncio.CancelledError:
        L("CancelledError", t.cancelled())
run("cancelbeforestart", s12)

# 13 cancel outer awaiting inner task
def s13(loop):
    async def inner():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            L("inner cancelled"); raise
    async def outer():
        try:
            await loop.create_task(inner())
        except asyncio.CancelledError:
            L("outer cancelled"); raise
    t = loop.create_task(outer())
    loop.call_later(0.1, lambda: L("cancel", t.cancel()))
    try:
        loop.run_until_complete(t)
    except asyncio.CancelledError:
        L("done", t.cancelled())
run("cancelnested", s13)

# 14 await done future does not yield
def s14(loop):
    f = loop.create_future(); f.set_result(1)
    async def a():
        L("a before"); await f; L("a after")
    async def b():
        L("b")
    loop.run_until_complete(asyncio.gather(loop.create_task(a()), loop.create_task(b())))
run("awaitdone", s14)

# 15 cancel after timer fired but before resume (must_cancel)
def s15(loop):
    async def w():
        try:
            await asyncio.sleep(0.1)
            L("not reached")
        except asyncio.CancelledError:
            L("cancelled at await"); raise
    t = loop.create_task(w())
    # same deadline, scheduled after the sleep's timer (by a callback that
    # runs after the task's first step)
    loop.call_soon(loop.call_later, 0.1, lambda: L("cancel", t.cancel()))
    try: loop.run_until_complete(t)
    except asyncio.CancelledError: L("task cancelled", t.cancelled())
run("mustcancel", s15)

# 16 self cancel then await
def s16(loop):
    async def w():
        L("cancel self", asyncio.current_task().cancel())
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            L("raised at next await", secs(loop.time()-t0)); raise
    t0 = loop.time()
    t = loop.create_task(w())
    try: loop.run_until_complete(t)
    except asyncio.CancelledError: L("cancelled")
run("selfcancel", s16)

# 17 seed cancel: wait + interrupt emulation
def s17(loop):
    async def w(x):
        L("Waiting", x); await asyncio.sleep(x); return x
    tasks = [asyncio.ensure_future(w(x), loop=loop) for x in (1,2,2)]
    wt = loop.create_task(asyncio.wait(tasks))
    loop.call_later(0.8, loop.stop)
    loop.run_forever()
    L("all", len(asyncio.all_tasks(loop)))
    for t in [*tasks, wt]:
        L(t.cancel())
    loop.stop(); loop.run_forever()
    L("states", [t._state.lower() for t in tasks], wt._state.lower())
run("seedcancel", s17)

# 18 run_until_complete stop timing
def s18(loop):
    async def w():
        loop.call_soon(L, "soon1")
        return 1
    t = loop.create_task(w())
    t.add_done_callback(lambda f: (L("done cb"), loop.call_soon(L, "soon2")))
    L("r", loop.run_until_complete(t))
    loop.run_until_complete(asyncio.sleep(0))
run("ruc", s18)

# 19 tasks that are asyncio.sleep itself, which aio runs without a goroutine:
# their steps, timers, done-callbacks and cancellation, among a coroutine's
def s19(loop):
    async def w(x):
        L("w start", x)
        await asyncio.sleep(x)
        L("w end", x)
        return "w"
    def done(t):
        L("done", t.get_name(), "cancelled" if t.cancelled() else t.result())
    def make(name, coro):
        t = loop.create_task(coro, name=name)
        t.add_done_callback(done)
        return t
    ts = [make("a", asyncio.sleep(0.1)), make("b", w(0.1)), make("c", asyncio.sleep(0)),
          make("c2", asyncio.sleep(0)), make("d", asyncio.sleep(0.2)), make("e", asyncio.sleep(0.2)),
          make("f", asyncio.sleep(0.3)), make("g", asyncio.sleep(0.3))]
    L("cancel e", ts[5].cancel())  # before its first step: it never runs
    loop.call_later(0.3, lambda: L("cancel f", ts[6].cancel()))  # due with f's timer, set before it
    def after_first_steps():
        L("cancel c2", ts[3].cancel())  # between sleep(0)'s two steps
        loop.call_later(0.1, L, "timer cb")  # due with a's timer, set after it
        loop.call_later(0.3, lambda: L("cancel g", ts[7].cancel()))  # after g's timer fired, before g steps
    loop.call_soon(after_first_steps)
    loop.call_later(0.15, lambda: L("cancel d", ts[4].cancel()))
    r = loop.run_until_complete(asyncio.gather(*ts, return_exceptions=True))
    L("results", ["cancelled" if isinstance(x, asyncio.CancelledError) else x for x in r])
run("sleeptask", s19)

if unknown:
    sys.exit("order.py: no scenario " + ", ".join(sorted(unknown)))
