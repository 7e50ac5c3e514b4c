# LMOVE into jobs:processing, but never removes a job from there once done.
# fails: Drained
# says: jobs:processing still held 12
import asyncio
import os

import redis.asyncio as redis


async def process(job):
    await asyncio.sleep(0.3)


async def worker(r):
    while (job := await r.lmove("jobs", "jobs:processing", "RIGHT", "LEFT")) is not None:
        await process(job)


async def main():
    r = redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
    try:
        await asyncio.gather(worker(r), worker(r), worker(r))
    finally:
        await r.close()


asyncio.run(main())
