# Gives the loop back once, then blocks it all the same.
# fails: NoBlocking
# fails: Prints
# says: `time.sleep(2)`, held the loop for 2.00 s
# says: It printed “tick 1” at 2.00 s; it should come at 0.5 s
import asyncio
import time


async def report():
    print("report: working")
    await asyncio.sleep(0)
    time.sleep(2)
    print("report: done")


async def ticker():
    for i in range(4):
        print(f"tick {i}")
        await asyncio.sleep(0.5)


async def main():
    await asyncio.gather(ticker(), report())


asyncio.run(main())
