# A TaskGroup, the results read in the order the tasks were made.
import asyncio


async def fetch(name, seconds):
    await asyncio.sleep(seconds)
    return name


async def main():
    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(fetch(n, s)) for n, s in (("slow", 3), ("quick", 1), ("medium", 2))]
    print([t.result() for t in tasks])


asyncio.run(main())
