# The semaphore held around the whole gather: one permit, nine downloads.
# fails: InFlight
# says: 9 calls of download were waiting at once
import asyncio


async def download(n):
    print(f"downloading {n}")
    await asyncio.sleep(1)
    print(f"downloaded {n}")


async def main():
    limit = asyncio.Semaphore(3)
    async with limit:
        await asyncio.gather(*(download(n) for n in range(9)))


asyncio.run(main())
