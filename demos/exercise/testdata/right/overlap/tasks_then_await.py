# Tasks made first, awaited after.
import asyncio


async def download(n):
    await asyncio.sleep(n)
    return n


async def main():
    tasks = [asyncio.create_task(download(n)) for n in (1, 2, 4)]
    for task in tasks:
        await task


asyncio.run(main())
