# Each task prints its own result as it ends.
import asyncio


async def download(n):
    await asyncio.sleep(n)
    return n


async def report(n):
    print(f"got {await download(n)}")


async def main():
    await asyncio.gather(report(3), report(1), report(2))


asyncio.run(main())
