# A TaskGroup, and a blocking call moved off the loop with to_thread:
# nothing to explain.
#
# want: clean
import asyncio
import time


async def main():
    async with asyncio.TaskGroup() as tg:
        tg.create_task(asyncio.sleep(0.05))
        tg.create_task(asyncio.to_thread(time.sleep, 0.3))
    print("done")


asyncio.run(main())
