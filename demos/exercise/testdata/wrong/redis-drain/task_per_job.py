# Takes every job at once and starts a task for each: no bound.
# fails: InFlight
# says: at most 3 may
import asyncio
import os

import redis.asyncio as redis


async def process(job):
    await asyncio.sleep(0.3)


async def handle(r, job):
    await process(job)
    await r.lrem("jobs:processing", 1, job)


async def main():
    r = redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
    try:
        async with asyncio.TaskGroup() as tg:
            while (job := await r.lmove("jobs", "jobs:processing", "RIGHT", "LEFT")) is not None:
                tg.create_task(handle(r, job))
    finally:
        await r.close()


asyncio.run(main())
