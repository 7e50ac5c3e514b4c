# Overlaps, but each download waits less than it should: the prints come
# at the times of a pass.
# exercise: as-completed
# fails: Waits
# says: download(3) waited 1.00 s, not 3 s
import asyncio


async def download(n):
    await asyncio.sleep(1)
    return n


async def main():
    await asyncio.sleep(0)
    for n in (1, 2, 3):
        await asyncio.sleep(1)
        print(f"got {n}")
    await asyncio.gather(download(3), download(1), download(2))


asyncio.run(main())
