# A coroutine that computes without an await holds the loop as surely as a
# blocking call does.
#
# want: blocking 14
import asyncio
import time


async def tick():
    await asyncio.sleep(0.01)


async def crunch(deadline):
    while time.monotonic() < deadline:
        pass


async def main():
    await asyncio.gather(tick(), crunch(time.monotonic() + 0.5))


asyncio.run(main())
