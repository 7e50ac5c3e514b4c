"""Exercise 3: results in the order asked: a model solution."""
import asyncio


async def fetch(name, seconds):
    await asyncio.sleep(seconds)  # the network, pretended
    return name


async def main():
    # gather runs the three at once and returns their results in the
    # order of its arguments, whatever order they finish in.
    results = await asyncio.gather(fetch("slow", 3), fetch("quick", 1), fetch("medium", 2))
    print(results)


asyncio.run(main())
