# A task that catches CancelledError and returns normally: whoever
# cancelled it cannot tell it stopped.
#
# want: swallowed-cancel 12
import asyncio


async def worker():
    try:
        await asyncio.sleep(10)
        return "finished"
    except asyncio.CancelledError:
        print("cancelled; returning anyway")
        return "gave up"


async def main():
    task = asyncio.create_task(worker())
    await asyncio.sleep(0.05)
    task.cancel()
    print("worker said:", await task)


asyncio.run(main())
