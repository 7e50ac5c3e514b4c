"""Lesson 12, workers: N worker coroutines on one loop, each taking from Redis.

No master thread: every worker takes its own messages. The tutorial's
workers called a synchronous Redis client (rcon.rpop) inside the coroutine:
every such call holds the whole loop, and one that waits (BRPOP with a
timeout) stalls all the workers while it waits; --sync-client shows it.
The fix is an asyncio client, redis.asyncio, whose calls are awaited.

The tutorial's Ctrl+C handler called asyncio.Task.all_tasks(), removed in
3.9: on today's Python it dies there with an AttributeError. asyncio.run()
needs no handler: since 3.11 Ctrl+C cancels the main task, and the
TaskGroup cancels the workers.
"""

import asyncio

from _asyncdemo import (QUEUE, AsyncQueue, Recorder, SyncQueue, call, consumer_name, count, main, need_modules, parser,
                        redis_flags, where)

need_modules("workers")  # one line, not a traceback, without redis-py and aiohttp

p = parser("workers", __doc__)
redis_flags(p, messages="2,5,1,1", mode="poll")
p.add_argument("--workers", type=count(1, 1000), default=2, help="how many worker coroutines")
p.add_argument("--sync-client", action="store_true",
               help="first call Redis synchronously inside the coroutines (the tutorial's trap), then the fix "
                    "(--idle ends each run)")
opts = p.parse_args()
rec = Recorder(opts)
# How long a worker waits in Redis for a message: BRPOP's 1 s, scaled like
# the other durations, but at most a second, so that idleness (and Ctrl+C
# with --sync-client) is noticed within a second.
WAIT = min(1.0, opts.scale)


async def next_message(queue, blocking):
    """The next message that asks for work, and its x; (None, None) once the
    queue has been idle for --idle."""
    while not queue.idle():  # with --idle, stop once the queue has been idle that long
        if blocking:
            with rec.span("loop stalled in Redis"):  # drawn: every worker waits meanwhile
                msg = blocking.take(WAIT)  # the tutorial's rcon.brpop(...) in a coroutine: the whole loop waits here
        else:
            msg = await queue.take(WAIT)  # awaited: the loop runs the other workers meanwhile
        if msg is None:  # nothing came within WAIT
            await asyncio.sleep(0)  # let the other workers have a turn
            continue
        x, reason = queue.parse(msg)
        if x is None:
            await queue.poison(msg, reason)
            continue
        return msg, x
    return None, None


async def worker(queue, blocking):
    rec.say("Start worker")
    try:
        while True:
            with rec.waiting():  # drawn as waiting, not running: the worker waits for Redis
                msg, x = await next_message(queue, blocking)
            if msg is None:
                return
            with rec.span(call("do_some_work", x)):  # a bar on --vs python's timeline
                rec.say(f"Wait {x}")
                await asyncio.sleep(x * opts.scale)
                rec.say(f"Done {x}")
            if blocking:
                blocking.ack(msg)
            else:
                await queue.ack(msg)
    finally:
        await queue.close()


async def run_workers(claim, sync_client):
    # The consumer takes its name (a heartbeat, renewed in a thread), and what
    # an earlier run left unfinished goes back on the queue first. (This and
    # the closing run in a task of their own: redis-py 4.3 leaves cancel
    # requests behind on the task that calls it, and then asyncio.run could
    # not tell Ctrl+C apart.)
    recovery = await asyncio.create_task(AsyncQueue(opts, rec, claim=claim).open())
    await asyncio.create_task(recovery.close())
    try:
        # A connection for each worker, all made before the workers start
        # (gather runs each in a task of its own): a worker waiting in BLMOVE
        # holds one anyway, and redis-py 4.3's pool checks each connection it
        # hands out under async_timeout, where a Ctrl+C cancellation can be
        # mistaken for a timeout and lost.
        queues = await asyncio.gather(*(AsyncQueue(opts, rec, share=recovery).open(recover=False, single=True)
                                        for _ in range(opts.workers)))
        async with asyncio.TaskGroup() as tg:
            for i, queue in enumerate(queues):
                blocking = SyncQueue(opts, rec, share=recovery, recover=False) if sync_client else None
                tg.create_task(worker(queue, blocking), name=f"worker-{i + 1}")
        if opts.idle is not None:
            recovery.done_idle()  # the workers stopped because the queue was idle: say so
    finally:
        # Idle, or Ctrl+C: what the workers took and did not finish goes back
        # on the queue, and the name is given up (blocking calls: off the loop).
        await asyncio.to_thread(recovery.stop)


def lesson():
    with consumer_name(opts, rec) as claim:  # a name in use is refused before anything is printed
        rec.note(f'Consuming list "{QUEUE}" of the Redis at {where(opts.redis)} (Ctrl+C to stop).')
        stalled = None
        if opts.sync_client:
            with rec.run("sync-client") as stalled:
                asyncio.run(run_workers(claim, True))
        with rec.run("workers") as fixed:
            asyncio.run(run_workers(claim, False))
        if stalled:
            rec.compare(fixed, stalled)


main(lesson)
