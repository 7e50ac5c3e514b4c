# Replaces asyncio.sleep while it runs, and puts it back before it ends.
# exercise: overlap
# fails: problem
# says: changed `asyncio.sleep`
import asyncio

real_sleep = asyncio.sleep


async def sleep(delay, result=None):
    return await real_sleep(delay * 4 / 7, result)


async def download(n):
    await asyncio.sleep(n)
    return n


async def main():
    asyncio.sleep = sleep
    for n in (1, 2, 4):
        await download(n)
    asyncio.sleep = real_sleep


asyncio.run(main())
