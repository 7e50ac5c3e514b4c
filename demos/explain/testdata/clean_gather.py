# Three tasks sleep at once: about 0.2 s in all, nothing to explain.
#
# want: clean
import asyncio


async def work(x):
    await asyncio.sleep(x)
    return x


async def main():
    print(await asyncio.gather(work(0.05), work(0.1), work(0.2)))


asyncio.run(main())
