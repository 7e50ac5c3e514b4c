# Runs its tasks on an event loop of its own, which asyncdemo does not
# make, hoping to go unmeasured.
# exercise: overlap
# fails: problem
# says: an event loop of its own
import asyncio
import selectors


async def download(n):
    await asyncio.sleep(n)
    return n


async def main():
    for n in (1, 2, 4):
        await download(n)

loop = asyncio.SelectorEventLoop(selectors.DefaultSelector())
loop.run_until_complete(main())
loop.close()
