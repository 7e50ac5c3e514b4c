# Waits long enough instead of waiting for the tasks: the lines come, late.
# fails: Elapsed
# says: It took 2.00 s; it should take between 1 s and 1.1 s
import asyncio


async def log(name):
    await asyncio.sleep(1)
    print(f"logged {name}")


async def main():
    for name in "abc":
        asyncio.create_task(log(name))
    await asyncio.sleep(0.5)
    print("main done")
    await asyncio.sleep(1.5)


asyncio.run(main())
