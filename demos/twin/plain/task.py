import asyncio


async def do_some_work(x):
    print(f"Waiting: {x}")


async def main():
    task = asyncio.create_task(do_some_work(2))  # the tutorial: ensure_future, loop.create_task
    print(task)  # <Task pending ...>: made, not yet run
    await task
    print(task)  # <Task finished ... result=None>
    assert isinstance(task, asyncio.Future)  # a task is a future


asyncio.run(main())
