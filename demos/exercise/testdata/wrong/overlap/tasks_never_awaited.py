# Tasks made and never awaited: main returns at once, and asyncio.run
# cancels what is left.
# fails: Waits
# fails: Elapsed
# says: download(1) was cancelled after 0.00 s of its 1 s wait
import asyncio


async def download(n):
    print(f"downloading {n}")
    await asyncio.sleep(n)
    print(f"downloaded {n}")
    return n


async def main():
    for n in (1, 2, 4):
        asyncio.create_task(download(n))


asyncio.run(main())
