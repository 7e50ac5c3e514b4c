# Overlaps the downloads, but on a loop in the main thread, which blocks
# there until they are done.
# fails: LoopThread
# says: ran in the main thread
import asyncio


async def download(x):
    await asyncio.sleep(x)
    return x


async def fetch_all():
    return await asyncio.gather(*(download(x) for x in (0.5, 1, 1.5)))


def main():
    print("fetched", asyncio.run(fetch_all()))


main()
