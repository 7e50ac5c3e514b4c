# One semaphore for the module, download's signature kept.
import asyncio

limit = None


async def download(n):
    async with limit:
        await asyncio.sleep(1)


async def main():
    global limit
    limit = asyncio.Semaphore(3)
    await asyncio.gather(*(download(n) for n in range(9)))


asyncio.run(main())
