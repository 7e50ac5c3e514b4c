"""Exercise 9: a blocking library, off the loop: a model solution."""
import asyncio
import time


def legacy_fetch(n):
    time.sleep(n)  # the old library's network wait: it blocks
    return n


async def ticker():
    for i in range(6):
        print(f"tick {i}")
        await asyncio.sleep(0.5)


async def fetch_all():
    # Each call runs in a thread of the loop's pool; awaiting it gives the
    # loop back until the thread is done.
    results = await asyncio.gather(asyncio.to_thread(legacy_fetch, 1), asyncio.to_thread(legacy_fetch, 2),
                                   asyncio.to_thread(legacy_fetch, 3))
    print(f"fetched {results}")


async def main():
    await asyncio.gather(ticker(), fetch_all())


asyncio.run(main())
