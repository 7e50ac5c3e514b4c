"""Lesson 8, cancel: Ctrl+C while tasks sleep; list them, cancel each, drain.

This twin drives the loop by hand, as the 2017 tutorial did, because the
hand-driving is the lesson: KeyboardInterrupt comes out of
run_until_complete with every task still pending; cancel() only asks; the
loop must run once more for each task to receive its CancelledError; then it
is closed. Skip that run (--no-drain) and the garbage collector destroys the
tasks while pending, which asyncio reports.

What changed since 2017:
  * asyncio.Task.all_tasks() was removed in 3.9 (the tutorial's handler now
    dies with AttributeError): use asyncio.all_tasks(loop). Like the old one,
    it returns a set, in no order; this twin lists tasks in creation order.
  * asyncio.get_event_loop() without a running loop is deprecated (3.12):
    asyncio.new_event_loop() makes the loop this twin drives.
  * asyncio.run() does all of this for you, and since 3.11 it turns Ctrl+C
    into a cancellation of the main task, which a TaskGroup passes on to its
    children. In new code, write that and none of the below.
"""

import asyncio
import gc
import os
import signal

from _asyncdemo import Recorder, call, durations, go_duration, main, num, parser, state

p = parser("cancel", __doc__)
p.add_argument("--durations", type=durations, default=None,
               help="how long each task sleeps, in seconds (default 1,2,2; 1,2,4 with --mode outer)")
p.add_argument("--mode", choices=["tasks", "outer"], default="tasks", help="cancel each task, or the one outer task")
p.add_argument("--interrupt", type=go_duration, nargs="?", const=0.8, default=None, metavar="DUR",
               help="send this program a real SIGINT after DUR (default 0.8s)")
p.add_argument("--no-drain", action="store_true", help="skip the final loop run: tasks are destroyed while pending")
opts = p.parse_args()
rec = Recorder(opts)
DURATIONS = opts.durations or ([1.0, 2.0, 4.0] if opts.mode == "outer" else [1.0, 2.0, 2.0])


async def do_some_work(x):
    rec.say(f"Waiting: {num(x)}")
    await asyncio.sleep(x * opts.scale)
    return f"Done after {num(x)}s"


def report(loop, context):
    """The loop's exception handler: what asyncio would log, as an event."""
    task = context.get("task")
    text = context["message"] + (f" task: {task!r}" if task is not None else "")
    rec.say(text, task=task.get_name() if task is not None else "")


def finish(loop, created):
    """Drain (or not), show the states, and close the loop."""
    if not opts.no_drain:
        loop.stop()
        loop.run_forever()  # one more turn: each task gets its CancelledError
    for task in created:
        rec.state(task.get_name(), state(task))
    loop.close()  # tasks still pending belong to no running loop now


def cancel_tasks(loop):
    tasks = [loop.create_task(do_some_work(x), name=call("do_some_work", x)) for x in DURATIONS]
    wait = loop.create_task(asyncio.wait(tasks), name="wait")
    try:
        loop.run_until_complete(wait)
        return  # no Ctrl+C: the tasks simply finished
    except KeyboardInterrupt:
        rec.say("KeyboardInterrupt")
    created = tasks + [wait]
    pending = sorted(asyncio.all_tasks(loop), key=created.index)  # a set: give it an order
    for task in pending:
        rec.say(repr(task), task=task.get_name())
    for task in pending:
        rec.say(task.cancel(), task=task.get_name())
    finish(loop, created)


def cancel_outer(loop):
    tasks = [loop.create_task(do_some_work(x), name=call("do_some_work", x)) for x in DURATIONS]

    async def outer():
        done, _ = await asyncio.wait(tasks)
        for task in done:
            rec.say(f"Task ret: {task.result()}", task="")

    main_task = loop.create_task(outer(), name="main")
    try:
        loop.run_until_complete(main_task)
        return
    except KeyboardInterrupt:
        rec.say("KeyboardInterrupt")
    created = tasks + [main_task]
    for task in created:  # Task.all_tasks() listed finished tasks too; all_tasks() does not
        rec.say(repr(task), task=task.get_name())
    # One gather of every pending task: cancelling it cancels them all.
    rec.say(asyncio.gather(*asyncio.all_tasks(loop)).cancel())
    finish(loop, created)


def lesson():
    if opts.interrupt is not None:
        # A real SIGINT, the signal Ctrl+C sends, from another thread.
        def ctrl_c():
            rec.mark("Ctrl+C")
            os.kill(os.getpid(), signal.SIGINT)
        timer = rec.timer(opts.interrupt * opts.scale, ctrl_c)  # a threading.Timer
    else:
        longest = num(max(DURATIONS) * opts.scale)
        rec.note(f"Press Ctrl+C within {longest} s to interrupt (or run with --interrupt).")
    with rec.run(f"cancel-{opts.mode}"):
        loop = asyncio.new_event_loop()
        loop.set_exception_handler(report)
        if opts.interrupt is not None:
            timer.start()
        (cancel_outer if opts.mode == "outer" else cancel_tasks)(loop)
        loop.close()
        # The tasks' last references went with that function's frame: the
        # collector destroys what is still pending now, and asyncio says so.
        gc.collect()


main(lesson)
