# Cancellations that go through: a clean-up that re-raises, a timeout, a
# TaskGroup whose child fails, and a cancel undone with uncancel().
# Nothing to explain.
#
# want: clean
import asyncio


async def worker():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        await asyncio.sleep(0.01)  # clean-up
        raise


async def failing():
    await asyncio.sleep(0.02)
    raise ValueError("boom")


async def patient():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        asyncio.current_task().uncancel()  # going on is what it means
    await asyncio.sleep(0.01)
    return "went on, on purpose"


async def main():
    task = asyncio.create_task(worker())
    await asyncio.sleep(0.02)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        print("worker stopped")
    try:
        async with asyncio.timeout(0.05):
            await asyncio.sleep(10)
    except TimeoutError:
        print("timed out")
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(asyncio.sleep(10))
            tg.create_task(failing())
    except* ValueError:
        print("the group stopped")
    p = asyncio.create_task(patient())
    await asyncio.sleep(0.02)
    p.cancel()
    print(await p)


asyncio.run(main())
