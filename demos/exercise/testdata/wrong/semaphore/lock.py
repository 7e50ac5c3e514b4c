# A lock: never more than one at a time, 9 s.
# fails: InFlight
# fails: Elapsed
# says: They ran one after another
# says: It took 9.00 s
import asyncio


async def download(n, lock):
    async with lock:
        print(f"downloading {n}")
        await asyncio.sleep(1)
        print(f"downloaded {n}")


async def main():
    lock = asyncio.Lock()
    await asyncio.gather(*(download(n, lock) for n in range(9)))


asyncio.run(main())
