# The right order, but each fetch awaited in turn: 6 s.
# fails: InFlight
# fails: Prints
# fails: Elapsed
# says: They ran one after another
# says: It printed “['slow', 'quick', 'medium']” at 6.00 s; it should come at 3 s
import asyncio


async def fetch(name, seconds):
    await asyncio.sleep(seconds)
    return name


async def main():
    results = [await fetch("slow", 3), await fetch("quick", 1), await fetch("medium", 2)]
    print(results)


asyncio.run(main())
