# The slow job removed instead of made asynchronous.
# fails: Waits
# says: report() never waited (it should wait 2 s)
import asyncio


async def report():
    print("report: working")
    print("report: done")


async def ticker():
    for i in range(4):
        print(f"tick {i}")
        await asyncio.sleep(0.5)


async def main():
    await asyncio.gather(ticker(), report())


asyncio.run(main())
