# A blocking call in a coroutine: time.sleep holds the whole loop, so the
# fetches that are ready (one's sleep is over, one has not started) wait.
#
# want: blocking 17
import asyncio
import time


async def fetch(x):
    print("fetching", x)
    await asyncio.sleep(x)
    print("got", x)


async def blocker():
    print("blocking")
    time.sleep(0.5)


async def main():
    await asyncio.gather(fetch(0.1), blocker(), fetch(0.2))


asyncio.run(main())
