# Two permits: within the limit, but slower than it allows.
# fails: InFlight
# says: At most 2 calls of download waited at once
import asyncio


async def download(n, limit):
    async with limit:
        await asyncio.sleep(1)


async def main():
    limit = asyncio.Semaphore(2)
    await asyncio.gather(*(download(n, limit) for n in range(9)))


asyncio.run(main())
