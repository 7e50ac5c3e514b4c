# A worker loop that catches CancelledError and goes on, as if it had not
# been cancelled; the second cancellation (asyncio.run's, at the end) it
# lets through.
#
# want: swallowed-cancel 14
import asyncio


async def worker():
    cancelled = 0
    while True:
        try:
            await asyncio.sleep(0.05)
        except asyncio.CancelledError:
            cancelled += 1
            if cancelled > 1:
                raise
            print("cancelled; going on")


async def main():
    task = asyncio.create_task(worker())
    await asyncio.sleep(0.1)
    task.cancel()
    await asyncio.sleep(0.2)
    print("worker done?", task.done())


asyncio.run(main())
