# gather, but download waits with time.sleep: the three take turns holding
# the loop.
# fails: NoBlocking
# fails: InFlight
# says: time.sleep blocks the whole thread
# says: They ran one after another
# says: Each held the event loop while it waited
import asyncio
import time


async def download(n):
    print(f"downloading {n}")
    time.sleep(n)
    print(f"downloaded {n}")
    return n


async def main():
    await asyncio.gather(download(1), download(2), download(4))


asyncio.run(main())
