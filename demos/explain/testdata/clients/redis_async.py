# redis.asyncio (URL: sys.argv[1]): a producer pushes messages onto a list,
# two consumers take them with BRPOP and work on each. Nothing to explain.
#
# want: clean
import asyncio
import sys

import redis.asyncio as redis


async def producer(r, key):
    for x in (0.05, 0.1, 0.05, 0.02):
        await r.lpush(key, x)
        await asyncio.sleep(0.02)


async def consumer(r, key, done):
    while len(done) < 4:
        got = await r.brpop(key, timeout=1)
        if got is None:
            return
        await asyncio.sleep(float(got[1]))
        done.append(float(got[1]))


async def main():
    r = redis.Redis.from_url(sys.argv[1])
    key, done = "asyncdemo-explain-test", []
    await r.delete(key)
    async with asyncio.TaskGroup() as tg:
        tg.create_task(producer(r, key))
        tg.create_task(consumer(r, key, done))
        tg.create_task(consumer(r, key, done))
    print(sorted(done))
    await r.aclose() if hasattr(r, "aclose") else await r.close()


asyncio.run(main())
