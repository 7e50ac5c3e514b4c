"""Lesson 7, nest: a main coroutine awaiting others four ways.

wait() gives (done, pending) sets, so its results come in no fixed order;
gather() gives results in argument order; main can return them to the
caller of asyncio.run(); as_completed() yields them as tasks finish.
The tutorial's loop.run_until_complete(main()) on get_event_loop() is
asyncio.run(main()) today.
"""

import asyncio

from _asyncdemo import Recorder, call, durations, main, num, parser

VARIANTS = ["wait", "gather", "return", "as-completed"]

p = parser("nest", __doc__)
p.add_argument("--durations", type=durations, default=[1.0, 2.0, 4.0], help="how long each task sleeps, in seconds")
p.add_argument("--variant", choices=["all"] + VARIANTS, default="all", help="which way to run")
opts = p.parse_args()
rec = Recorder(opts)


async def do_some_work(x):
    rec.say(f"Waiting: {num(x)}")
    await asyncio.sleep(x * opts.scale)
    return f"Done after {num(x)}s"


def create_tasks():
    return [asyncio.create_task(do_some_work(x), name=call("do_some_work", x)) for x in opts.durations]


async def main_wait():
    done, pending = await asyncio.wait(create_tasks())
    rec.say(f"{len(done)} done, {len(pending)} pending")
    for task in done:  # a set: any order
        rec.say(f"Task ret: {task.result()}")


async def main_gather():
    for result in await asyncio.gather(*create_tasks()):
        rec.say(f"Task ret: {result}")


async def main_return():
    return await asyncio.gather(*create_tasks())


async def main_as_completed():
    for next_done in asyncio.as_completed(create_tasks()):
        rec.say(f"Task ret: {await next_done}")


def lesson():
    for variant in VARIANTS:
        if opts.variant not in ("all", variant):
            continue
        with rec.run(variant):
            if variant == "return":
                for result in asyncio.run(main_return()):  # main's result, outside the loop
                    rec.say(f"Task ret: {result}")
            else:
                asyncio.run({"wait": main_wait, "gather": main_gather,
                             "as-completed": main_as_completed}[variant]())


main(lesson)
