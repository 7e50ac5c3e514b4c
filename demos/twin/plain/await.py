import asyncio


async def do_some_work(x):
    print(f"Waiting: {x}")
    await asyncio.sleep(x)  # gives the loop to the other; time.sleep(x) would hold it
    return f"Done after {x}s"


async def main():
    async with asyncio.TaskGroup() as tg:  # waits for both: 2 s, not 4
        tasks = [tg.create_task(do_some_work(2)) for _ in range(2)]
    for task in tasks:
        print(f"Task ret: {task.result()}")


asyncio.run(main())
