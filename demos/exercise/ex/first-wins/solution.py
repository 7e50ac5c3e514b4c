"""Exercise 11: take the first answer, cancel the other: a model solution."""
import asyncio


async def mirror(name, seconds):
    await asyncio.sleep(seconds)  # the download, pretended
    return name


async def main():
    tasks = {asyncio.create_task(mirror("near", 1)), asyncio.create_task(mirror("far", 3))}
    # wait returns as soon as one task is done: (done, pending) sets.
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    print(f"got it from {done.pop().result()}")
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)  # until the cancellations are done
    await asyncio.sleep(2)  # main goes on with other work


asyncio.run(main())
