# Blocks the loop with a busy loop on time.monotonic instead of time.sleep,
# which a check on virtual time must still see as no wait at all.
# exercise: blocking
# fails: Waits
# says: report() never waited
import asyncio
import time


async def report():
    print("report: working")
    end = time.monotonic() + 0.2
    while time.monotonic() < end:
        pass
    print("report: done")


async def ticker():
    for i in range(4):
        print(f"tick {i}")
        await asyncio.sleep(0.5)


async def main():
    await asyncio.gather(ticker(), report())


asyncio.run(main())
