# gather keeps the error as a result: nobody cancels the others.
# fails: Cancelled
# says: download('a') waited to its end, at 2.00 s, instead of being cancelled at 1 s
import asyncio


async def download(name, seconds):
    await asyncio.sleep(seconds)
    print(f"downloaded {name}")


async def broken(name, seconds):
    await asyncio.sleep(seconds)
    raise ConnectionError(f"{name} is down")


async def main():
    results = await asyncio.gather(download("a", 2), download("b", 4), broken("c", 1), return_exceptions=True)
    for r in results:
        if isinstance(r, Exception):
            print(f"failed: {r}")
    await asyncio.sleep(5)


asyncio.run(main())
