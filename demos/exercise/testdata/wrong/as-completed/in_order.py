# Each printed as soon as it is done, but the downloads started one at a
# time, in order.
# fails: InFlight
# fails: Prints
# says: It printed “got 2” at 3.00 s; it should come at 2 s
import asyncio


async def download(n):
    await asyncio.sleep(n)
    return n


async def main():
    for n in (1, 2, 3):
        print(f"got {await download(n)}")


asyncio.run(main())
