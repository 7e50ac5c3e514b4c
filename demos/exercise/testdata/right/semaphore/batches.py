# Batches of three: within the limit, and as quick.
import asyncio


async def download(n):
    await asyncio.sleep(1)


async def main():
    for first in range(0, 9, 3):
        await asyncio.gather(*(download(n) for n in range(first, first + 3)))


asyncio.run(main())
