import asyncio


async def do_some_work(x):
    print(f"Waiting: {x}")
    return f"Done after {x}s"


async def main():
    task = asyncio.create_task(do_some_work(2))
    try:
        task.result()  # never waits: a pending future has no result yet
    except asyncio.InvalidStateError as e:
        print(f"task.result() too early: {type(e).__name__}: {e}")
    await task  # this waits
    print(f"Task ret: {task.result()}")

    other = asyncio.create_task(do_some_work(3))
    print(f"other.cancel() = {other.cancel()}")
    await asyncio.wait([other])  # let it finish cancelling: its body never runs
    try:
        other.result()
    except asyncio.CancelledError as e:
        print(f"other.result(): {type(e).__name__}")


asyncio.run(main())
