# No blocking, but the ticker and the report awaited one after the other.
# fails: Elapsed
# says: It took 4.00 s; it should take between 2 s and 2.1 s
import asyncio


async def report():
    print("report: working")
    await asyncio.sleep(2)
    print("report: done")


async def ticker():
    for i in range(4):
        print(f"tick {i}")
        await asyncio.sleep(0.5)


async def main():
    await ticker()
    await report()


asyncio.run(main())
