import asyncio


async def do_some_work(x):
    print(f"Waiting: {x}")
    await asyncio.sleep(x)  # gives the loop to the other tasks
    return f"Done after {x}s"


async def main():
    tasks = [asyncio.create_task(do_some_work(x)) for x in (1, 2, 4)]
    await asyncio.wait(tasks)  # tasks, not coroutines (3.11); or: await asyncio.gather(*tasks)
    for task in tasks:
        print(f"Task ret: {task.result()}")  # 4 s in all, not 7


asyncio.run(main())
