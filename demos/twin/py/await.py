"""Lesson 5, await: awaiting hands the loop back; a blocking call does not.

Two coroutines wait x seconds each. With `await asyncio.sleep(x)` they
overlap; with --blocking they call time.sleep(x), which holds the loop's one
thread, so they run one after the other. Move blocking work off the loop with
`await asyncio.to_thread(time.sleep, x)` instead.
"""

import asyncio
import time

from _asyncdemo import Recorder, call, main, num, parser, seconds

p = parser("await", __doc__)
p.add_argument("-x", type=seconds, default=2.0, help="the argument x of do_some_work(x)")
p.add_argument("--blocking", action="store_true", help="sleep with time.sleep instead of awaiting")
opts = p.parse_args()
rec = Recorder(opts)


async def do_some_work(x, blocking=False):
    rec.say(f"Waiting: {num(x)}")
    if blocking:
        time.sleep(x * opts.scale)  # the whole loop stops here
    else:
        await asyncio.sleep(x * opts.scale)  # gives the loop to the others
    return f"Done after {num(x)}s"


def name(i):
    return f"{call('do_some_work', opts.x)} #{i}"


async def concurrent():
    # TaskGroup (3.11) waits for all its tasks, and cancels the rest if one fails.
    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(do_some_work(opts.x, opts.blocking), name=name(i)) for i in (1, 2)]
    for task in tasks:
        rec.say(f"Task ret: {task.result()}", task=task.get_name())


async def sequential():
    for i in (1, 2):
        rec.say(f"Task ret: {await asyncio.create_task(do_some_work(opts.x), name=name(i))}")


def lesson():
    with rec.run("concurrent") as conc:
        asyncio.run(concurrent())
    if rec.compare_runs:
        with rec.run("sequential") as seq:
            asyncio.run(sequential())
        rec.compare(conc, seq)


main(lesson)
