# Ignores Ctrl+C and cancels its own tasks at 1 s, as the task names it:
# Ctrl+C comes at a moment it cannot know.
# exercise: ctrl-c
# fails: Cancelled
# fails: Prints
# says: should be at 1.
import asyncio
import signal


async def download(name, seconds):
    print(f"downloading {name}")
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        print(f"removed {name}.part")
        raise
    print(f"saved {name}")


async def main():
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    tasks = [asyncio.create_task(download(n, s)) for n, s in (("a", 3), ("b", 4), ("c", 5))]
    asyncio.get_running_loop().call_later(1, lambda: [t.cancel() for t in tasks])
    await asyncio.gather(*tasks, return_exceptions=True)
    print("stopped")


asyncio.run(main())
