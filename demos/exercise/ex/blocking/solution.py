"""Exercise 2: replace a blocking sleep: a model solution."""
import asyncio


async def report():
    print("report: working")
    await asyncio.sleep(2)  # gives the loop back while it waits
    print("report: done")


async def ticker():
    for i in range(4):
        print(f"tick {i}")
        await asyncio.sleep(0.5)


async def main():
    await asyncio.gather(ticker(), report())


asyncio.run(main())
