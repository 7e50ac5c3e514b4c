"""Exercise 19: drain a Redis list with three workers, losing nothing: a model solution."""
import asyncio
import os

import redis.asyncio as redis


async def process(job):
    await asyncio.sleep(0.3)  # the work, pretended


async def worker(r):
    # LMOVE takes the job and keeps it in jobs:processing in one step: a
    # worker that dies now leaves it there, to be found and done again.
    while (job := await r.lmove("jobs", "jobs:processing", "RIGHT", "LEFT")) is not None:
        await process(job)
        await r.lrem("jobs:processing", 1, job)  # done: only now it goes


async def main():
    r = redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
    try:
        async with asyncio.TaskGroup() as tg:
            for _ in range(3):
                tg.create_task(worker(r))
    finally:
        await r.close()


asyncio.run(main())
