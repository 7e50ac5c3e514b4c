# A task fails and nobody awaits it: the error is only logged, when the
# task is destroyed.
#
# want: never-retrieved 11
import asyncio
import gc


async def fail():
    await asyncio.sleep(0.01)
    raise ValueError("boom")


async def main():
    asyncio.create_task(fail())
    await asyncio.sleep(0.05)
    gc.collect()


asyncio.run(main())
