# Calling a coroutine function runs none of its code: fetch(1) makes a
# coroutine that nobody awaits.
#
# want: never-awaited 13
import asyncio


async def fetch(x):
    print("fetching", x)


async def main():
    fetch(1)
    await fetch(2)


asyncio.run(main())
