"""Exercise 7: when one fails, stop the others: a model solution."""
import asyncio


async def download(name, seconds):
    await asyncio.sleep(seconds)  # the network, pretended
    print(f"downloaded {name}")


async def broken(name, seconds):
    await asyncio.sleep(seconds)
    raise ConnectionError(f"{name} is down")


async def main():
    try:
        # When a task of the group fails, the group cancels the others,
        # waits for them to end, and raises an ExceptionGroup.
        async with asyncio.TaskGroup() as tg:
            tg.create_task(download("a", 2))
            tg.create_task(download("b", 4))
            tg.create_task(broken("c", 1))
    except* ConnectionError as eg:
        print(f"failed: {eg.exceptions[0]}")
    await asyncio.sleep(5)  # main goes on with other work


asyncio.run(main())
