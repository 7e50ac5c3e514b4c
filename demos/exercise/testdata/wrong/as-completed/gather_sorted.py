# The right order, but every line waits for the last download.
# fails: Prints
# says: It printed “got 1” at 3.00 s; it should come at 1 s
import asyncio


async def download(n):
    await asyncio.sleep(n)
    return n


async def main():
    for n in sorted(await asyncio.gather(download(3), download(1), download(2))):
        print(f"got {n}")


asyncio.run(main())
