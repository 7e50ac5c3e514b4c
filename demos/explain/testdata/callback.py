# A blocking callback, no task's, holds the loop too.
#
# want: blocking 9
import asyncio
import time


def report():
    time.sleep(0.5)


async def main():
    asyncio.get_running_loop().call_soon(report)
    await asyncio.sleep(0.01)


asyncio.run(main())
