"""Lesson 1, coroutine: calling a coroutine function runs nothing; a loop runs it.

The 2017 tutorial wrote
    loop = asyncio.get_event_loop()     # no running loop: deprecated since 3.12
    loop.run_until_complete(coroutine)
Modern Python has one entry point, asyncio.run(): it makes a fresh loop, runs
the coroutine in a task until it is done, and closes the loop.
"""

import asyncio

from _asyncdemo import Recorder, call, main, num, parser, seconds

p = parser("coroutine", __doc__)
p.add_argument("-x", type=seconds, default=2.0, help="the argument x of do_some_work(x)")
opts = p.parse_args()
rec = Recorder(opts)


async def do_some_work(x):
    # asyncio.run names its task Task-1, so the event names the call itself.
    rec.say(f"Waiting: {num(x)}", task=call("do_some_work", x))


def lesson():
    with rec.run("run"):
        coroutine = do_some_work(opts.x)  # a coroutine object: nothing has run
        rec.say("coroutine made; nothing has run yet")
        asyncio.run(coroutine)  # now the loop runs it, and only now "Waiting"


main(lesson)
