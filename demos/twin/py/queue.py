"""Lesson 10, queue: master-worker. The main thread takes messages from Redis;
a loop running for ever in another thread works on them.

The main thread is a plain thread, not a coroutine, so redis-py's blocking
client is right there. Each message becomes a coroutine on the loop thread
(run_coroutine_threadsafe) and is acknowledged only when that coroutine is
done; the acknowledgement, a blocking call, runs off the loop's thread with
asyncio.to_thread (3.9).

The tutorial's t.setDaemon(True) is deprecated since 3.10: daemon=True.
Its `except KeyboardInterrupt: new_loop.stop()` from the main thread was a
race: only the *_threadsafe calls may touch a loop from another thread.
"""

# This file is named like the standard library's queue module: _asyncdemo,
# imported first, moves this directory behind the standard library.
from _asyncdemo import (DEAD, QUEUE, Recorder, SyncQueue, call, cancel_and_wait, consumer_name, errtext, goquote, main,
                        need_modules, parser, redis_flags, where)

import asyncio
import threading

need_modules("queue")  # one line, not a traceback, without redis-py and aiohttp

p = parser("queue", __doc__)
redis_flags(p, messages="2,5,1,1", mode="poll")
opts = p.parse_args()
rec = Recorder(opts)


async def do_some_work(x):
    rec.say(f"Waiting: {x}")
    await asyncio.sleep(x * opts.scale)
    rec.say(f"Done {x}")


async def work(queue, msg, x):
    asyncio.current_task().set_name(call("do_some_work", x))  # run_coroutine_threadsafe takes no name
    try:
        await do_some_work(x)
    except Exception as e:  # reported, and the message dead-lettered, not lost
        rec.say(f"message {goquote(msg)}: {errtext(e)}; moved to {DEAD}", task="")
        await asyncio.to_thread(queue.reject, msg, errtext(e))
    else:
        await asyncio.to_thread(queue.ack, msg)


def lesson():
    with consumer_name(opts, rec) as claim:  # a name in use is refused before anything is printed
        rec.note(f'Consuming list "{QUEUE}" of the Redis at {where(opts.redis)} (Ctrl+C to stop).')
        consume(claim)


def consume(claim):
    with rec.run(f"queue-{opts.mode}"):
        queue = SyncQueue(opts, rec, claim=claim)  # holds the consumer's name (a heartbeat), puts back what crashed ones left
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, daemon=True).start()
        try:
            while (msg := queue.next()) is not None:  # RPOP and sleep 1 s, or BLMOVE
                x, reason = queue.parse(msg)  # int(task), without dying on a bad one
                if x is None:
                    queue.poison(msg, reason)
                    continue
                asyncio.run_coroutine_threadsafe(work(queue, msg, x), loop)
            queue.done_idle()
        finally:
            # On Ctrl+C, work in progress is cancelled; then the loop stops,
            # and what was taken and not finished goes back on the queue.
            cancel_and_wait(loop)
            loop.call_soon_threadsafe(loop.stop)
            queue.stop()


main(lesson)
