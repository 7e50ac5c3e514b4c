# Three workers, but each takes its job with RPOP: while it is processed,
# the job is nowhere but in the worker's memory.
# fails: Held
# says: lives only in the worker's memory
import asyncio
import os

import redis.asyncio as redis


async def process(job):
    await asyncio.sleep(0.3)


async def worker(r):
    while (job := await r.rpop("jobs")) is not None:
        await process(job)


async def main():
    r = redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
    try:
        await asyncio.gather(worker(r), worker(r), worker(r))
    finally:
        await r.close()


asyncio.run(main())
