"""Lesson 3, callback: add_done_callback calls a function with the finished task.

Extra arguments are bound in advance with functools.partial, as in 2017.
Callbacks still work, but modern code awaits the task instead.
"""

import asyncio
import functools

from _asyncdemo import Recorder, call, main, num, parser, seconds

p = parser("callback", __doc__)
p.add_argument("-x", type=seconds, default=2.0, help="the argument x of do_some_work(x)")
opts = p.parse_args()
rec = Recorder(opts)


async def do_some_work(x):
    rec.say(f"Waiting: {num(x)}")
    return f"Done after {num(x)}s"


def callback(future):
    rec.say(f"Callback: {future.result()}")


def callback_with(t, future):
    rec.say(f"Callback: {t} {future.result()}")


async def amain():
    task = asyncio.create_task(do_some_work(opts.x), name=call("do_some_work", opts.x))
    task.add_done_callback(callback)
    task.add_done_callback(functools.partial(callback_with, 2))
    task.add_done_callback(lambda future: rec.say(f"the callback's future is the task: {future is task}"))
    # The loop calls the callbacks in the order they were added, on a later
    # turn than the one that finished the task, and before this await resumes.
    await task


def lesson():
    with rec.run("run"):
        asyncio.run(amain())


main(lesson)
