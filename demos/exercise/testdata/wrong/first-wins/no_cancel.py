# The first answer taken, the other task left running until asyncio.run
# cancels it at the end.
# fails: Cancelled
# says: mirror('far') waited to its end, at 3.00 s, instead of being cancelled at 1 s
import asyncio


async def mirror(name, seconds):
    await asyncio.sleep(seconds)
    return name


async def main():
    tasks = {asyncio.create_task(mirror("near", 1)), asyncio.create_task(mirror("far", 3))}
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    print(f"got it from {done.pop().result()}")
    await asyncio.sleep(2)


asyncio.run(main())
