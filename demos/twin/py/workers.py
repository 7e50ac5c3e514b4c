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

from _asyncdemo import need_modules

need_modules("workers")

import asyncio  # noqa: E402

from _asyncdemo import QUEUE, AsyncQueue, Recorder, SyncQueue, count, main, parser, redis_flags, where  # noqa: E402

p = parser("workers", __doc__)
redis_flags(p, messages="2,5,1,1", mode="poll")
p.add_argument("--workers", type=count(1, 1000), default=2, help="how many worker coroutines")
p.add_argument("--sync-client", action="store_true",
               help="first call Redis synchronously inside the coroutines (the tutorial's trap), then the fix")
opts = p.parse_args()
rec = Recorder(opts)


async def worker(queue, take):
    rec.say("Start worker")
    while True:
        msg = await take()
        if msg is None:  # Redis had nothing for a second
            if queue.idle():
                return
            await asyncio.sleep(0)  # let the other workers have a turn
            continue
        x, reason = queue.parse(msg)
        if x is None:
            await queue.poison(msg, reason)
            continue
        rec.say(f"Wait {x}")
        await asyncio.sleep(x * opts.scale)
        rec.say(f"Done {x}")
        await queue.ack(msg)


async def run_workers(sync_client):
    # redis-py 4.3 (Debian 12's) times out its pool checks with async_timeout,
    # which on 3.11 leaves a cancel request behind on the task that made the
    # call; then asyncio.run cannot tell Ctrl+C apart. Keep its calls off
    # this main task: open and close in tasks of their own.
    queue = await asyncio.create_task(AsyncQueue(opts, rec).open())
    if sync_client:
        blocking = SyncQueue(opts, rec, share=queue)

        async def take():
            return blocking.take(1)  # rcon.brpop(...) in a coroutine: the whole loop waits here
    else:
        async def take():
            return await queue.take(1)  # awaited: the loop runs the other workers meanwhile
    try:
        async with asyncio.TaskGroup() as tg:
            for i in range(opts.workers):
                tg.create_task(worker(queue, take), name=f"worker-{i + 1}")
    finally:
        await asyncio.create_task(queue.close())


def lesson():
    rec.note(f'Consuming list "{QUEUE}" of the Redis at {where(opts.redis)} (Ctrl+C to stop).')
    if opts.sync_client:
        with rec.run("sync-client"):
            asyncio.run(run_workers(True))
    with rec.run("workers"):
        asyncio.run(run_workers(False))


main(lesson)
