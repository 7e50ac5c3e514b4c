"""Exercise 10: don't lose the background tasks: a model solution."""
import asyncio


async def log(name):
    await asyncio.sleep(1)  # writing somewhere slow, pretended
    print(f"logged {name}")


async def main():
    background = set()  # a reference to each task until it is done
    for name in "abc":
        task = asyncio.create_task(log(name))
        background.add(task)
        task.add_done_callback(background.discard)
    await asyncio.sleep(0.5)  # main's own work
    print("main done")
    await asyncio.gather(*background)  # before main returns


asyncio.run(main())
