# Several asyncio.run calls in a row, each its own event loop: each drawn
# on the timeline under its own title. Nothing to explain.
#
# want: clean
import asyncio


async def work(x):
    await asyncio.sleep(x)
    return x


async def main(n):
    print("run", n, await asyncio.gather(work(0.05), work(0.1)))


for n in range(3):
    asyncio.run(main(n))
