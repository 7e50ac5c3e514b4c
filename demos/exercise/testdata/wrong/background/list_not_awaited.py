# References kept, but never awaited: asyncio.run cancels them all the same.
# fails: Waits
# says: log('a') was cancelled after 0.50 s of its 1 s wait
import asyncio


async def log(name):
    await asyncio.sleep(1)
    print(f"logged {name}")


async def main():
    tasks = [asyncio.create_task(log(name)) for name in "abc"]
    await asyncio.sleep(0.5)
    print("main done", len(tasks))


asyncio.run(main())
