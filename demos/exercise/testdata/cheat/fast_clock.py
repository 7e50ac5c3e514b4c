# Keeps the blocking sleep, and makes the loop's clock, and time's, run
# twice as fast, so that the sleeps look short.
# exercise: blocking
# fails: problem
# says: the event loop's time
import asyncio
import time

real_monotonic = time.monotonic
time.monotonic = lambda: real_monotonic() * 2


async def report():
    print("report: working")
    time.sleep(2)
    print("report: done")


async def ticker():
    for i in range(4):
        print(f"tick {i}")
        await asyncio.sleep(0.5)


async def main():
    loop = asyncio.get_running_loop()
    clock = loop.time
    loop.time = lambda: clock() * 2
    await asyncio.gather(ticker(), report())


asyncio.run(main())
