"""Lesson 2, task: a task wraps a coroutine, holds its state, and is a future.

The tutorial made the task with loop.create_task() or asyncio.ensure_future()
on a loop from asyncio.get_event_loop(). Modern code calls
asyncio.create_task() inside a running loop, usually with a name.
"""

import asyncio

from _asyncdemo import Recorder, call, main, num, parser, seconds, state

p = parser("task", __doc__)
p.add_argument("-x", type=seconds, default=2.0, help="the argument x of do_some_work(x)")
opts = p.parse_args()
rec = Recorder(opts)


async def do_some_work(x):
    rec.say(f"Waiting: {num(x)}")


async def amain():
    task = asyncio.create_task(do_some_work(opts.x), name=call("do_some_work", opts.x))
    rec.state(task.get_name(), state(task))
    rec.say(repr(task))  # <Task pending name='do_some_work(2)' coro=<...>>: created, not yet run
    await task
    rec.state(task.get_name(), state(task))
    rec.say(repr(task))  # <Task finished ... result=None>
    assert isinstance(task, asyncio.Future)  # a task is a future


def lesson():
    with rec.run("run"):
        asyncio.run(amain())


main(lesson)
