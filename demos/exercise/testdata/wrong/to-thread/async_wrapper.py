# An async def around the blocking call does not make it asynchronous.
# fails: NoBlocking
# fails: InFlight
# says: held the loop 3 times, 6.00 s in all
# says: Each held the event loop while it waited (a blocking time.sleep)
import asyncio
import time


def legacy_fetch(n):
    time.sleep(n)
    return n


async def fetch(n):
    return legacy_fetch(n)


async def ticker():
    for i in range(6):
        print(f"tick {i}")
        await asyncio.sleep(0.5)


async def fetch_all():
    results = await asyncio.gather(fetch(1), fetch(2), fetch(3))
    print(f"fetched {results}")


async def main():
    await asyncio.gather(ticker(), fetch_all())


asyncio.run(main())
