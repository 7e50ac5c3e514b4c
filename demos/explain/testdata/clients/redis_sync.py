# The synchronous Redis client inside a task (URL: sys.argv[1]): BRPOP
# waits 1 s for a message that never comes, and the loop waits with it
# (what asyncdemo workers --sync-client shows).
#
# want: sync-client 14
import asyncio
import sys

import redis


async def take(r):
    await asyncio.sleep(0.01)
    return r.brpop("asyncdemo-explain-empty", timeout=1)


async def tick():
    for _ in range(5):
        await asyncio.sleep(0.05)


async def main():
    r = redis.Redis.from_url(sys.argv[1])
    print(await asyncio.gather(take(r), tick()))


asyncio.run(main())
