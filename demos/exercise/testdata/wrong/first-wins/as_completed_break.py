# as_completed, and a break after the first: the other goes on regardless.
# fails: Cancelled
# says: mirror('far') waited to its end
import asyncio


async def mirror(name, seconds):
    await asyncio.sleep(seconds)
    return name


async def main():
    for first in asyncio.as_completed([mirror("near", 1), mirror("far", 3)]):
        print(f"got it from {await first}")
        break
    await asyncio.sleep(2)


asyncio.run(main())
