# Each call in a thread, but each awaited before the next starts.
# fails: InFlight
# fails: Elapsed
# says: They ran one after another
import asyncio
import time


def legacy_fetch(n):
    time.sleep(n)
    return n


async def ticker():
    for i in range(6):
        print(f"tick {i}")
        await asyncio.sleep(0.5)


async def fetch_all():
    results = [await asyncio.to_thread(legacy_fetch, n) for n in (1, 2, 3)]
    print(f"fetched {results}")


async def main():
    await asyncio.gather(ticker(), fetch_all())


asyncio.run(main())
