# Deletes the jobs instead of doing them, and takes the time they would.
# exercise: redis-drain
# fails: Waits
# fails: InFlight
# says: process('0') never waited
import asyncio
import os

import redis.asyncio as redis


async def main():
    r = redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
    await r.rpush("jobs:processing", "x")
    await r.delete("jobs")
    await asyncio.sleep(1.2)
    await r.delete("jobs:processing")
    await r.close()


asyncio.run(main())
