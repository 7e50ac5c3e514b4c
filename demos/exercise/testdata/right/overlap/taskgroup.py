# A TaskGroup instead of gather.
import asyncio


async def download(n):
    print(f"downloading {n}")
    await asyncio.sleep(n)
    print(f"downloaded {n}")
    return n


async def main():
    async with asyncio.TaskGroup() as tg:
        for n in (1, 2, 4):
            tg.create_task(download(n))


asyncio.run(main())
