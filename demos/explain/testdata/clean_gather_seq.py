# The same fetches started together, then their results used one after
# another: one await of a gather, and awaits of tasks already running.
# Nothing to explain.
#
# want: clean
import asyncio


async def fetch(x):
    await asyncio.sleep(x)
    return x


async def main():
    print(await asyncio.gather(fetch(0.1), fetch(0.2), fetch(0.3)))
    tasks = [asyncio.create_task(fetch(x)) for x in (0.3, 0.1, 0.2)]
    for t in tasks:
        print(await t)


asyncio.run(main())
