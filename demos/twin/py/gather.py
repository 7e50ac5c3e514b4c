"""Lesson 6, gather: three tasks of 1, 2 and 4 s take about 4 s, not 7.

Since Python 3.11 asyncio.wait() refuses bare coroutines (a TypeError; the
tutorial passed ensure_future()'d tasks, which is still right): make tasks
first. gather() takes coroutines or tasks and returns results in argument
order. In new code asyncio.TaskGroup is the usual choice.
"""

import asyncio

from _asyncdemo import Recorder, call, count, durations, main, num, parser

p = parser("gather", __doc__)
p.add_argument("--durations", type=durations, default=[1.0, 2.0, 4.0], help="how long each task sleeps, in seconds")
p.add_argument("--with", dest="with_", choices=["wait", "gather"], default="wait",
               help="wait for the tasks with asyncio.wait or asyncio.gather")
p.add_argument("--tasks", type=count(0, 10_000_000), default=0,
               help="run N concurrent tasks instead, durations taken in turn (a summary, not N lines)")
opts = p.parse_args()
rec = Recorder(opts)


async def do_some_work(x):
    rec.say(f"Waiting: {num(x)}")
    await asyncio.sleep(x * opts.scale)  # gives the loop to the other tasks
    return f"Done after {num(x)}s"


async def concurrent():
    tasks = [asyncio.create_task(do_some_work(x), name=call("do_some_work", x)) for x in opts.durations]
    if opts.with_ == "wait":
        await asyncio.wait(tasks)  # (done, pending) sets; tasks, not coroutines
    else:
        await asyncio.gather(*tasks)
    for task in tasks:
        rec.say(f"Task ret: {task.result()}")


async def sequential():
    for x in opts.durations:  # each awaited before the next is made: the times add up
        rec.say(f"Task ret: {await asyncio.create_task(do_some_work(x), name=call('do_some_work', x))}")


async def many(n):
    d = opts.durations
    names = [call("do_some_work", x) for x in d]
    tasks = [asyncio.create_task(asyncio.sleep(d[i % len(d)] * opts.scale), name=names[i % len(d)]) for i in range(n)]
    rec.say(f"{n} tasks created")
    results = await asyncio.gather(*tasks)
    rec.say(f"{n} tasks done, {len(results)} results in argument order")


def lesson():
    if opts.tasks:
        with rec.run("concurrent"):
            asyncio.run(many(opts.tasks))
        total = sum(opts.durations[i % len(opts.durations)] for i in range(opts.tasks))
        rec.note(f"One after another, {opts.tasks} tasks would take {total * opts.scale:.2f} s "
                 f"(the sum of their durations at --scale {opts.scale:g}); not run.")
        return
    with rec.run("concurrent") as conc:
        asyncio.run(concurrent())
    if rec.compare_runs:
        with rec.run("sequential") as seq:
            asyncio.run(sequential())
        rec.compare(conc, seq)


main(lesson)
