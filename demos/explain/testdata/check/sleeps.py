# Three downloads, one after another, and a timeout that does not expire.
import asyncio


async def download(n):
    await asyncio.sleep(n)
    return n


async def main():
    for n in (1, 2):
        await download(n)
    async with asyncio.timeout(10):
        await asyncio.gather(download(0.5), download(0.25))


asyncio.run(main())
