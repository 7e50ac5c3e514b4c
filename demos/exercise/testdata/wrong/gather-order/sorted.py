# Sorted, which is an order, but not the one asked.
# fails: Prints
# says: It never printed “['slow', 'quick', 'medium']”: it printed “['medium', 'quick', 'slow']” at 3.00 s.
import asyncio


async def fetch(name, seconds):
    await asyncio.sleep(seconds)
    return name


async def main():
    results = await asyncio.gather(fetch("slow", 3), fetch("quick", 1), fetch("medium", 2))
    print(sorted(results))


asyncio.run(main())
