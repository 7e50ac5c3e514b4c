# A semaphore in each call: nine semaphores, each with room for three.
# fails: InFlight
# says: At 0.00 s, 9 calls of download were waiting at once
# says: at most 3 may
import asyncio


async def download(n):
    async with asyncio.Semaphore(3):
        print(f"downloading {n}")
        await asyncio.sleep(1)
        print(f"downloaded {n}")


async def main():
    await asyncio.gather(*(download(n) for n in range(9)))


asyncio.run(main())
