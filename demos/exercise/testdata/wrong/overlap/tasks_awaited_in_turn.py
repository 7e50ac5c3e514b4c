# A task for each download, but each awaited before the next is made: one
# after another still.
# fails: InFlight
# fails: Elapsed
# says: They ran one after another: download(1) from 0.00 to 1.00 s, download(2) from 1.00 to 3.00 s and download(4) from 3.00 to 7.00 s, 7.00 s in all.
# says: download(4) started 3.00 s late
# says: It took 7.00 s; it should take between 4 s and 4.1 s
import asyncio


async def download(n):
    print(f"downloading {n}")
    await asyncio.sleep(n)
    print(f"downloaded {n}")
    return n


async def main():
    for n in (1, 2, 4):
        task = asyncio.create_task(download(n))
        await task


asyncio.run(main())
