# The blocking call kept, and moved off the loop to a thread.
import asyncio
import time


async def report():
    print("report: working")
    await asyncio.to_thread(time.sleep, 2)
    print("report: done")


async def ticker():
    for i in range(4):
        print(f"tick {i}")
        await asyncio.sleep(0.5)


async def main():
    await asyncio.gather(ticker(), report())


asyncio.run(main())
