"""Lesson 9, thread: a loop running for ever in another thread, fed from main.

call_soon_threadsafe() hands the loop plain functions: blocking ones run one
after the other (6 + 3 s). run_coroutine_threadsafe() hands it coroutines,
which overlap (6 s), and returns a concurrent.futures.Future: main can wait
for the result, and an exception raised in the loop thread comes back
through it (--fail), which answers the tutorial's open question;
concurrent.futures.as_completed gives main each one as soon as it is done.

The tutorial's t.setDaemon(True) is deprecated since 3.10: pass
Thread(..., daemon=True). And the loop thread needs no set_event_loop():
run_forever() makes the loop the running loop of the thread that runs it.
"""

import asyncio
import concurrent.futures
import threading
import time

from _asyncdemo import Recorder, call, main, num, parser

p = parser("thread", __doc__)
p.add_argument("--variant", choices=["all", "threadsafe-call", "threadsafe-coroutine"], default="all",
               help="which part to run")
p.add_argument("--fail", action="store_true", help="make the submitted coroutines raise: the error reaches main")
opts = p.parse_args()
rec = Recorder(opts)


def start_loop():
    """A new loop, running for ever in a daemon thread of its own."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    return loop, thread


def stop_loop(loop, thread):
    loop.call_soon_threadsafe(loop.stop)  # from another thread, only the *_threadsafe calls are safe
    thread.join()
    loop.close()


def more_work(x):
    name = call("more_work", x)
    with rec.span(name):  # a bar on the timeline: a callback is no task
        rec.say(f"More work {num(x)}", task=name)
        time.sleep(x * opts.scale)  # blocks the loop's thread: nothing else runs meanwhile
        rec.say(f"Finished more work {num(x)}", task=name)


def threadsafe_call():
    loop, thread = start_loop()
    rec.say("main: loop started in another thread; main is not blocked")
    for x in (6, 3):
        loop.call_soon_threadsafe(more_work, x)
    stop_loop(loop, thread)  # the stop is queued after the work, so it runs last


async def do_some_work(x):
    asyncio.current_task().set_name(call("do_some_work", x))  # run_coroutine_threadsafe takes no name
    rec.say(f"Waiting: {num(x)}")
    await asyncio.sleep(x * opts.scale)
    if opts.fail:
        raise RuntimeError(f"do_some_work({num(x)}) failed in the loop thread")
    rec.say(f"Done after {num(x)}s")
    return x


def threadsafe_coroutine():
    loop, thread = start_loop()
    try:
        futures = [asyncio.run_coroutine_threadsafe(do_some_work(x), loop) for x in (6, 4)]
        rec.say("main: coroutines submitted; main is not blocked")
        errors = []
        for future in concurrent.futures.as_completed(futures, timeout=3600):  # as each is done
            try:
                future.result()  # raises what the coroutine raised
            except Exception as e:
                rec.say(f"main got the loop thread's error: {e}")
                errors.append(e)
        if errors:
            raise errors[0]
    finally:
        stop_loop(loop, thread)


def lesson():
    if opts.variant != "threadsafe-coroutine":
        with rec.run("threadsafe-call"):
            threadsafe_call()
    if opts.variant != "threadsafe-call":
        with rec.run("threadsafe-coroutine"):
            threadsafe_coroutine()


main(lesson)
