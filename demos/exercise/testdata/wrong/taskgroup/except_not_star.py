# A TaskGroup, but its ExceptionGroup is caught as a ConnectionError: it
# is not one, and the program dies of it.
# fails: problem
# says: ended with an error (exit status 1)
# says: ExceptionGroup: unhandled errors in a TaskGroup
import asyncio


async def download(name, seconds):
    await asyncio.sleep(seconds)
    print(f"downloaded {name}")


async def broken(name, seconds):
    await asyncio.sleep(seconds)
    raise ConnectionError(f"{name} is down")


async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(download("a", 2))
            tg.create_task(download("b", 4))
            tg.create_task(broken("c", 1))
    except ConnectionError as e:
        print(f"failed: {e}")
    await asyncio.sleep(5)


asyncio.run(main())
