"""Lesson 4, future: the states, result(), and asking too early.

A future is pending, then done: finished with a result or an exception, or
cancelled. "Running" is not a state Python stores: a task is running exactly
while its coroutine executes, which is when the event below says so.
"""

import asyncio

from _asyncdemo import Recorder, call, main, num, parser, seconds, state

p = parser("future", __doc__)
p.add_argument("-x", type=seconds, default=2.0, help="the argument x of do_some_work(x)")
opts = p.parse_args()
rec = Recorder(opts)


async def do_some_work(x):
    rec.state(asyncio.current_task().get_name(), "running")
    rec.say(f"Waiting: {num(x)}")
    return f"Done after {num(x)}s"


async def amain():
    x = opts.x
    task = asyncio.create_task(do_some_work(x), name=call("do_some_work", x))
    rec.state(task.get_name(), state(task))
    try:
        task.result()  # never waits: a pending future has no result yet
    except asyncio.InvalidStateError as e:
        rec.say(f"task.result() too early: {type(e).__name__}: {e}")
    await task
    rec.state(task.get_name(), state(task))
    rec.say(f"Task ret: {task.result()}")

    other = asyncio.create_task(do_some_work(x + 1), name=call("do_some_work", x + 1))
    rec.say(f"other.cancel() = {other.cancel()}")
    await asyncio.wait([other])  # let it finish cancelling; its body never runs
    rec.state(other.get_name(), state(other))
    try:
        other.result()
    except asyncio.CancelledError as e:
        rec.say(f"other.result(): {type(e).__name__}")


def lesson():
    with rec.run("run"):
        asyncio.run(amain())


main(lesson)
