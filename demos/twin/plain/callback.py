import asyncio
import functools


async def do_some_work(x):
    print(f"Waiting: {x}")
    return f"Done after {x}s"


def callback(future):
    print(f"Callback: {future.result()}")


def callback_with(t, future):
    print(f"Callback: {t} {future.result()}")


async def main():
    task = asyncio.create_task(do_some_work(2))
    task.add_done_callback(callback)  # called with the task, once it is done
    task.add_done_callback(functools.partial(callback_with, 2))  # more arguments
    task.add_done_callback(lambda future: print(f"the callback's future is the task: {future is task}"))
    await task


asyncio.run(main())
