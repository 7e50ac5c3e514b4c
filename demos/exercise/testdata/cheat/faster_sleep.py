# One after another, with asyncio.sleep replaced by one 4/7 as long: the
# whole takes 4 s, as a pass does.
# exercise: overlap
# fails: problem
# says: changed `asyncio.sleep`
import asyncio

real_sleep = asyncio.sleep


async def sleep(delay, result=None):
    return await real_sleep(delay * 4 / 7, result)

asyncio.sleep = sleep


async def download(n):
    print(f"downloading {n}")
    await asyncio.sleep(n)
    print(f"downloaded {n}")
    return n


async def main():
    for n in (1, 2, 4):
        await download(n)


asyncio.run(main())
