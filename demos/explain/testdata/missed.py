# Three independent awaits one after another: 0.7 s where started together
# they would take about 0.4 s, the longest (asyncdemo gather's lesson).
#
# want: missed-concurrency 16
import asyncio


async def work(x):
    await asyncio.sleep(x)
    return f"done after {x}s"


async def main():
    # Each await waits for the one before it to finish, though none needs
    # another's result.
    a = await work(0.1)
    b = await work(0.2)
    c = await work(0.4)
    print(a, b, c)


asyncio.run(main())
